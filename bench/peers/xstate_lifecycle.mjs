// The investment lifecycle of bench/engine_bench.cpp (BM_EngineLifecycle, the "bare"
// lifecycle of workflows/scenarios/qingyuan-investment-main.yaml) written for XState v5, the
// way a team would write it by hand in JavaScript: one state per stage, one event per
// transition, guards for roles, required fields and the workflow's checks, an `assign` that
// records every change as an event in the context (the engine's events), votes collected in
// committee review, milestone deadlines started on entering `signed` and `under_construction`.
//
// Each project: create an actor with every field already filled in (as the C++ bare
// lifecycle does), then the 16 stage transitions and 3 votes of the main scenario, each one
// checked to have been accepted. Timed as engine_bench times it: best of three runs of
// INVESTFLOW_BENCH_PROJECTS walks (default 20000), after a warm-up.
//
// Prints `xstate_transitions_per_s: N` (and `xstate_commands_per_s: N`).
// Usage: node bench/peers/xstate_lifecycle.mjs   (after `npm ci` in bench/peers)

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assign, createActor, setup } from 'xstate';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---- the working-day calendar (workflows/calendars/cn-mainland.yaml) ----------------------
// The file is read with two regular expressions: holiday blocks (`from`..`to`) are rest days,
// `make_up` lists weekend days worked.
function loadCalendar() {
  const text = readFileSync(join(root, 'workflows/calendars/cn-mainland.yaml'), 'utf8');
  const rest = new Set();
  const work = new Set();
  const blocks = [...text.matchAll(/from: (\d{4}-\d\d-\d\d)[^\n]*\n\s*to: (\d{4}-\d\d-\d\d)/g)];
  for (const [, from, to] of blocks) {
    for (let day = dayNumber(from); day <= dayNumber(to); day++) rest.add(day);
  }
  for (const [, list] of text.matchAll(/make_up: \[([^\]]*)\]/g)) {
    for (const date of list.split(',').map((s) => s.trim()).filter(Boolean)) work.add(dayNumber(date));
  }
  return { rest, work };
}
const calendar = loadCalendar();

function dayNumber(iso) {
  return Math.floor(Date.parse(iso + 'T00:00:00Z') / 86400000);
}
function isWorkingDay(day) {
  if (calendar.work.has(day)) return true;
  if (calendar.rest.has(day)) return false;
  const weekday = (day + 4) % 7;  // 1970-01-01 was a Thursday
  return weekday !== 0 && weekday !== 6;
}
// Working days after `from` up to and including `to` (negative when `to` is earlier).
function workingDaysBetween(from, to) {
  const sign = to >= from ? 1 : -1;
  let count = 0;
  for (let day = Math.min(from, to) + 1; day <= Math.max(from, to); day++) count += isWorkingDay(day);
  return sign * count;
}
function addMonths(day, months) {
  const date = new Date(day * 86400000);
  date.setUTCMonth(date.getUTCMonth() + months);
  return Math.floor(date.getTime() / 86400000);
}

// ---- the workflow's tables and computed values --------------------------------------------
const tables = {
  intensity_min: { electronics: 350, default: 330 },
  output_per_mu_min: { electronics: 1200, default: 1000 },
  tax_per_mu_min: { electronics: 35, default: 33 },
  leased_investment_min: { default: 200 },
  leased_tax_min: { default: 15 },
  escalation_threshold: { default: 50000 },
  city_escalation_threshold: { default: 100000 },
  build_period_days: { small: 365, medium: 548, large: 730, default: 730 },
  capacity_period_months: { biomedicine: 36, default: 24 },
  kpi_tolerance: { default: 0.8 },
};
const lookup = (table, key) => (key in tables[table] ? tables[table][key] : tables[table].default);
const present = (value) => value !== undefined && value !== null && value !== '';
const round2 = (x) => Math.round(x * 100) / 100;
const ratio = (a, b) => (present(a) && present(b) && b !== 0 ? round2(a / b) : null);

const computed = {
  investment_intensity: (f) => ratio(f.fixed_asset_investment, f.land_area),
  output_per_mu: (f) => ratio(f.expected_output, f.land_area),
  tax_per_mu: (f) => ratio(f.expected_tax, f.land_area),
  investment_per_kilo_m2: (f) => ratio(f.fixed_asset_investment * 1000, f.floor_area),
  tax_per_kilo_m2: (f) => ratio(f.expected_tax * 1000, f.floor_area),
  size_class: (f) => (f.total_investment < 10000 ? 'small' : f.total_investment <= 50000 ? 'medium' : 'large'),
  build_period: (f) =>
    lookup('build_period_days', computed.size_class(f)) + (present(f.build_extension_days) ? f.build_extension_days : 0),
  actual_intensity: (f) =>
    f.land_type === 'leased_factory' ? ratio(f.actual_investment * 1000, f.floor_area) : ratio(f.actual_investment, f.land_area),
};
const priorityWaiver = (f) => f.priority === true && present(f.priority_categories) && present(f.priority_reason);

// The thresholds checked at screening and again at submission (docs/domain.md, rule 4).
function thresholdsHold(f) {
  const leased = f.land_type === 'leased_factory';
  const atLeast = (value, required) => !present(value) || value >= required || priorityWaiver(f);
  return (
    (leased || (present(f.land_area) && f.land_area > 0)) &&
    (!leased || (present(f.floor_area) && f.floor_area > 0)) &&
    (leased || atLeast(computed.investment_intensity(f), lookup('intensity_min', f.industry))) &&
    (leased || atLeast(computed.output_per_mu(f), lookup('output_per_mu_min', f.industry))) &&
    (leased || atLeast(computed.tax_per_mu(f), lookup('tax_per_mu_min', f.industry))) &&
    (!leased || atLeast(computed.investment_per_kilo_m2(f), lookup('leased_investment_min', f.industry))) &&
    (!leased || atLeast(computed.tax_per_kilo_m2(f), lookup('leased_tax_min', f.industry)))
  );
}

// ---- transitions: roles, required fields, checks (qingyuan-investment.yaml) ---------------
const screeningFields = ['industry', 'chain_role', 'project_kind', 'land_type', 'total_investment',
  'fixed_asset_investment', 'expected_output', 'expected_tax'];
const vetoItems = ['outside_red_line', 'complies_sanxian_yidan', 'not_forbidden_category', 'emissions_ok', 'safety_ok'];
const reviewPassed = (c) => c.votes.length >= 3 && c.approvals * 3 >= c.votes.length * 2;

const transitions = {
  accept_lead: { from: 'lead', to: 'screening', roles: ['staff'],
    requires: ['name', 'investor', 'contact', 'industry', 'total_investment', 'promoting_unit'] },
  pass_screening: { from: 'screening', to: 'negotiating', roles: ['manager'], requires: screeningFields,
    check: (f) => thresholdsHold(f) },
  submit_for_review: { from: 'negotiating', to: 'preliminary_review', roles: ['staff'],
    requires: ['name', 'investor', 'contact', 'promoting_unit', ...screeningFields], check: (f) => thresholdsHold(f) },
  pass_preliminary: { from: 'preliminary_review', to: 'committee_review', roles: ['secretariat'],
    requires: [...vetoItems, 'review_meeting_on'],
    check: (f, c, today) =>
      vetoItems.every((item) => f[item] === true) && workingDaysBetween(today, dayNumber(f.review_meeting_on)) >= 1 },
  escalate: { from: 'committee_review', to: 'escalated', roles: ['secretariat'],
    check: (f, c) => reviewPassed(c) &&
      (f.total_investment >= lookup('escalation_threshold', f.industry) || present(f.escalation_reason)) },
  leader_approve: { from: 'escalated', to: 'approved', roles: ['leader'],
    check: (f) => f.total_investment < lookup('city_escalation_threshold', f.industry) || present(f.city_approval_ref) },
  sign_agreement: { from: 'approved', to: 'signed', roles: ['staff', 'manager'],
    requires: ['agreement_no', 'agreement_signed_on', 'committed_investment', 'committed_intensity',
      'committed_output', 'committed_tax', 'performance_bond', 'penalty_terms', 'service_officer'],
    check: (f) =>
      (f.land_type === 'leased_factory' || f.committed_intensity >= lookup('intensity_min', f.industry) || priorityWaiver(f)) &&
      (f.land_type !== 'leased_factory' || f.committed_intensity >= lookup('leased_investment_min', f.industry) || priorityWaiver(f)) },
  register_company: { from: 'signed', to: 'registered', roles: ['staff'], requires: ['registered_on', 'credit_code'] },
  secure_site: { from: 'registered', to: 'site_secured', roles: ['staff'],
    check: (f) => (f.land_type === 'leased_factory' || present(f.land_granted_on)) &&
      (f.land_type !== 'leased_factory' || present(f.factory_leased_on)) },
  start_construction: { from: 'site_secured', to: 'under_construction', roles: ['staff'],
    requires: ['construction_started_on'],
    check: (f) => f.land_type === 'leased_factory' || present(f.construction_permit_on) },
  extend_build_period: { from: 'under_construction', to: 'under_construction', roles: ['leader'],
    requires: ['build_extension_days'], commentRequired: true },
  complete_acceptance: { from: 'under_construction', to: 'completed', roles: ['staff', 'manager'], requires: ['completed_on'] },
  start_production: { from: 'completed', to: 'in_production', roles: ['staff'], requires: ['production_started_on'] },
  reach_capacity: { from: 'in_production', to: 'at_capacity', roles: ['manager'],
    requires: ['capacity_reached_on', 'actual_investment', 'actual_output', 'actual_tax'],
    check: (f) => {
      const tolerance = lookup('kpi_tolerance', f.industry);
      const waived = present(f.capacity_exception);
      return (f.actual_output >= f.committed_output * tolerance || waived) &&
        (f.actual_tax >= f.committed_tax * tolerance || waived) &&
        (computed.actual_intensity(f) >= f.committed_intensity * tolerance || waived);
    } },
  begin_aftercare: { from: 'at_capacity', to: 'aftercare', roles: ['staff', 'manager'] },
};

// Milestones whose clock starts on entering a state (due day from the entering day).
const milestones = {
  signed: [
    ['register_company', (today) => today + 30],
    ['pay_bond', (today) => today + 30],
    ['start_construction', (today) => addMonths(today, 6)],
  ],
  under_construction: [
    ['complete_construction', (today, f) => today + computed.build_period(f) - (today - dayNumber(f.construction_started_on))],
  ],
  in_production: [['reach_capacity', (today, f) => addMonths(today, lookup('capacity_period_months', f.industry))]],
};

// One XState guard per transition: the actor's role, required fields, the checks.
function allowed(id, { context, event }) {
  const def = transitions[id];
  const fields = event.fields ? { ...context.fields, ...event.fields } : context.fields;
  if (!def.roles.some((role) => event.actor.roles.includes(role))) return false;
  if (def.requires && !def.requires.every((name) => present(fields[name]))) return false;
  if (def.commentRequired && !present(event.comment)) return false;
  return def.check ? def.check(fields, context, dayNumber(event.at)) : true;
}

// The transition's events, appended to the context as the engine appends them to the log.
function taken(id) {
  const def = transitions[id];
  return assign(({ context, event }) => {
    const changes = event.fields
      ? Object.entries(event.fields).map(([name, value]) => ({ name, before: context.fields[name], after: value }))
      : [];
    const fields = event.fields ? { ...context.fields, ...event.fields } : context.fields;
    const today = dayNumber(event.at);
    const started = (def.from !== def.to && milestones[def.to]) || [];
    const version = context.version + 1;
    return {
      fields,
      version,
      events: [...context.events, {
        type: 'transition_taken', version, at: event.at, by: event.actor.name, transition: id,
        from: def.from, to: def.to, changes, comment: event.comment ?? '',
        milestones_started: started.map(([name, due]) => ({ milestone: name, due: due(today, fields) })),
      }],
    };
  });
}

const castVote = assign(({ context, event }) => {
  const version = context.version + 1;
  const approve = event.choice === 'approve';
  return {
    version,
    votes: [...context.votes, { voter: event.actor.name, choice: event.choice }],
    approvals: context.approvals + (approve ? 1 : 0),
    events: [...context.events, { type: 'vote_cast', version, at: event.at, by: event.actor.name,
      choice: event.choice, comment: event.comment ?? '' }],
  };
});

function buildMachine() {
  const guards = {
    mayVote: ({ context, event }) =>
      event.actor.roles.includes('reviewer') && !context.votes.some((vote) => vote.voter === event.actor.name),
  };
  const actions = { castVote };
  const states = {};
  const stateNames = ['lead', 'screening', 'negotiating', 'preliminary_review', 'committee_review', 'escalated',
    'approved', 'signed', 'registered', 'site_secured', 'under_construction', 'completed', 'in_production',
    'at_capacity', 'aftercare', 'rejected', 'withdrawn', 'exited'];
  for (const name of stateNames) states[name] = { on: {} };
  for (const name of ['rejected', 'withdrawn', 'exited']) states[name].type = 'final';
  for (const [id, def] of Object.entries(transitions)) {
    guards[id] = (args) => allowed(id, args);
    actions[id] = taken(id);
    states[def.from].on[id] = { target: def.to, guard: id, actions: id, reenter: def.from === def.to };
  }
  states.committee_review.on.vote = { guard: 'mayVote', actions: 'castVote' };
  return setup({ guards, actions }).createMachine({
    id: 'qingyuan-investment',
    initial: 'lead',
    context: ({ input }) => ({
      id: input.id, owner: input.owner, fields: input.fields, version: 1, votes: [], approvals: 0,
      events: [{ type: 'project_created', version: 1, at: input.at, by: input.owner, fields: input.fields }],
    }),
    states,
  });
}

// ---- the bare main scenario: every field at creation, then transitions and votes ----------
const actors = {
  zhang: { name: 'zhang', roles: ['staff'] }, li: { name: 'li', roles: ['manager'] },
  wang: { name: 'wang', roles: ['secretariat'] }, chen: { name: 'chen', roles: ['leader'] },
  r1: { name: 'r1', roles: ['reviewer'] }, r2: { name: 'r2', roles: ['reviewer'] }, r3: { name: 'r3', roles: ['reviewer'] },
};
// The last value the scenario gives each field (what engine_bench's bare() collects).
const allFields = {
  name: '高性能铝基新材料生产基地项目', investor: '广东华铝新材料集团有限公司', contact: '王经理 138-0000-0001',
  industry: 'new_materials', total_investment: 60000, promoting_unit: '招商一科', chain_role: 'strengthen',
  project_kind: 'manufacturing', land_type: 'new_land', fixed_asset_investment: 54000, expected_output: 180000,
  expected_tax: 6000, land_area: 150, land_parcel: '高新区百嘉园区 B-07 地块', priority: false,
  outside_red_line: true, complies_sanxian_yidan: true, not_forbidden_category: true, emissions_ok: true,
  safety_ok: true, review_meeting_on: '2026-04-10', review_opinion: '评审会原则同意，提请管委会审定',
  agreement_no: 'QYGX-2026-018', agreement_signed_on: '2026-05-08', committed_investment: 54000,
  committed_intensity: 360, committed_output: 180000, committed_tax: 6000, performance_bond: 500,
  penalty_terms: '未按期开工、竣工或达产的，按协议第十二条承担违约责任', service_officer: 'zhang',
  registered_on: '2026-05-27', credit_code: '91441800MA55QY2K1X', land_granted_on: '2026-07-14',
  construction_permit_on: '2026-08-25', construction_started_on: '2026-09-01', funds_in_place: 54000,
  build_extension_days: 180, completed_on: '2029-02-26', production_started_on: '2029-04-02',
  capacity_reached_on: '2031-03-03', actual_investment: 55000, actual_output: 176000, actual_tax: 5200,
};
const t = (at, actor, type, comment) => ({ type, at, actor: actors[actor], comment });
const vote = (at, actor, choice, comment) => ({ type: 'vote', at, actor: actors[actor], choice, comment });
const steps = [
  t('2026-03-02', 'zhang', 'accept_lead', '已电话回复投资方，约定3月4日实地踏勘'),
  t('2026-03-04', 'li', 'pass_screening', '投入产出指标均达到准入标准'),
  t('2026-03-30', 'zhang', 'submit_for_review'),
  t('2026-04-07', 'wang', 'pass_preliminary'),
  vote('2026-04-10', 'r1', 'approve', '符合新材料产业链强链方向'),
  vote('2026-04-10', 'r2', 'approve'),
  vote('2026-04-10', 'r3', 'reject', '能耗指标偏高，建议落实能耗替代'),
  t('2026-04-10', 'wang', 'escalate'),
  t('2026-04-24', 'chen', 'leader_approve', '管委会第5次主任会议审定同意'),
  t('2026-05-08', 'zhang', 'sign_agreement'),
  t('2026-05-28', 'zhang', 'register_company'),
  t('2026-07-15', 'zhang', 'secure_site'),
  t('2026-09-01', 'zhang', 'start_construction'),
  t('2027-09-01', 'chen', 'extend_build_period', '主要设备进口延迟，同意建设期延长180天'),
  t('2029-02-26', 'zhang', 'complete_acceptance'),
  t('2029-04-02', 'zhang', 'start_production'),
  t('2031-03-03', 'li', 'reach_capacity', '经审计，上年度产值17.6亿元、税收5200万元，达到承诺指标'),
  t('2031-04-07', 'zhang', 'begin_aftercare'),
];
const transitionCount = steps.filter((step) => step.type !== 'vote').length;
const commandCount = steps.length + 1;  // with the creation

const machine = buildMachine();

// One project through the lifecycle; throws if XState refused any step (the machine's
// version did not move), which would mean the port is wrong, not slow.
function walk(id) {
  const actor = createActor(machine, { input: { id, owner: 'zhang', at: '2026-03-02', fields: allFields } });
  actor.start();
  for (const step of steps) {
    const before = actor.getSnapshot().context.version;
    actor.send(step);
    if (actor.getSnapshot().context.version !== before + 1) {
      throw new Error(`xstate: ${step.type} at ${actor.getSnapshot().value} was refused`);
    }
  }
  const end = actor.getSnapshot();
  if (end.value !== 'aftercare') throw new Error(`xstate: ended in ${end.value}`);
  actor.stop();
  return end.context.events.length;
}

function timeWalks(projects) {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < projects; i++) walk(`QY-${i}`);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best / projects;
}

const projects = Number(process.env.INVESTFLOW_BENCH_PROJECTS || 20000);
timeWalks(Math.min(projects, 2000));  // warm-up: let the JIT compile the hot paths
const seconds = timeWalks(projects);
console.log(`xstate_lifecycle: ${commandCount} commands, ${transitionCount} transitions (xstate ${
  JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'node_modules/xstate/package.json'), 'utf8')).version
}, node ${process.versions.node})`);
console.log(`xstate_transitions_per_s: ${(transitionCount / seconds).toFixed(0)}`);
console.log(`xstate_commands_per_s: ${(commandCount / seconds).toFixed(0)}`);
