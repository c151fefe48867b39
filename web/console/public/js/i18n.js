// Console texts in Chinese (the default) and English. Workflow labels come from the API
// as {"zh-CN": ..., "en": ...}; `pick` chooses the current language's.

const texts = {
  'zh-CN': {
    app_name: '招商项目管理', skip_to_content: '跳到正文', loading: '加载中…',
    nav_board: '项目看板', nav_projects: '项目列表', nav_dashboard: '管理驾驶舱',
    nav_workflow: '流程规则', nav_notifications: '消息通知', nav_new: '新建项目',
    language: '语言', logout: '退出登录', notifications_unread: '未读消息 {n} 条',
    login_title: '登录', username: '用户名', password: '密码', login: '登录',
    login_failed: '用户名或密码错误', too_many: '尝试次数过多，请稍后再试',
    roles: { staff: '招商专员', secretariat: '评审秘书处', reviewer: '评审委员', manager: '科室负责人',
      leader: '管委会领导', auditor: '审计（只读）', admin: '管理员' },
    workflow: '流程', stage: '阶段', industry: '产业', chain_role: '产业链定位', owner: '负责人',
    overdue: '已逾期', search: '搜索', search_placeholder: '项目编号、名称或投资主体', sort: '排序',
    all: '全部', apply: '查询', next_page: '下一页', first_page: '第一页', no_projects: '没有符合条件的项目',
    sort_updated: '最近更新', sort_created: '创建时间', sort_name: '名称', sort_investment: '投资额',
    sort_due: '办理时限', descending: '降序', name: '项目名称', investor: '投资主体',
    investment: '计划总投资', updated: '更新时间', due: '时限', state: '阶段', open: '打开',
    count: '项目数', total_investment: '计划总投资', cards_more: '另有 {n} 个项目未显示',
    take_transition: '办理', move_to: '移至', blocked: '不可办理', no_transitions: '当前没有可办理的操作',
    transitions: '可办理的操作', fields: '项目信息', edit: '编辑', save: '保存', cancel: '取消',
    saved: '已保存', comment: '意见', comment_required: '意见（必填）', submit: '提交',
    required_fields: '须填写的字段', done: '已完成', failed: '操作未成功',
    review: '评审', votes_cast: '已投票', quorum: '最低表决人数', approve: '同意', reject: '不同意',
    abstain: '弃权', recuse: '回避', my_vote: '我的投票', vote: '投票意见', cast_vote: '投票', change_vote: '修改投票', voted: '投票已记录',
    no_review: '当前阶段无评审', review_result: '评审结果', passed: '通过', not_passed: '未通过',
    milestones: '落地节点', planned_on: '计划日期', done_on: '实际日期', due_on: '截止日期',
    evidence: '佐证材料', record: '登记', no_milestones: '暂无节点', milestone: '节点',
    followups: '跟踪走访', visit_on: '走访日期', summary: '走访情况', issues: '问题清单（每行一条）',
    add_followup: '登记走访', no_followups: '暂无走访记录', followup_due: '下次走访',
    history: '办理记录', chain_ok: '记录链完整，校验通过', chain_broken: '记录链校验失败：记录可能被篡改',
    actor: '办理人', time: '时间', changes: '字段变更', created: '创建项目', edited: '修改字段',
    voted_event: '评审投票', milestone_event: '登记节点', followup_event: '登记走访', transition_event: '办理',
    estimated: '（估算）', estimated_hint: '按周末估算：工作日历尚无这一年的法定节假日数据',
    sla_due: '本阶段时限', version: '版本', not_available: '暂不可用：服务器尚未提供此功能', forbidden: '您的角色无权查看此报表',
    dashboard: '管理驾驶舱', funnel: '阶段漏斗', by_industry: '按产业统计投资', by_chain_role: '按产业链定位统计投资',
    aging: '阶段停留时间（工作日）', median: '中位数', p90: '90分位', samples: '样本数',
    overdue_list: '逾期项目', kpis: '关键指标', period_summary: '期间汇总', from: '起', to: '止', from_state: '起始阶段', to_state: '目标阶段',
    export_csv: '导出 CSV', export_xlsx: '导出 Excel', reached: '到达数', rate_from_start: '累计转化率',
    rate_from_previous: '环节转化率', longest_waiting: '停留最久', days: '工作日', pipeline: '各阶段项目',
    workflow_view: '流程规则', roles_label: '办理角色', requires_label: '必填字段', guards_label: '校验规则',
    comment_rule: '意见', terminal: '终止状态', review_state: '评审阶段', sla_label: '时限',
    hover_hint: '将鼠标移到箭头或阶段上（或用 Tab 键选中）查看规则', transitions_table: '全部操作',
    notifications: '消息通知', unread_only: '只看未读', mark_read: '标为已读', mark_all_read: '全部标为已读',
    no_notifications: '没有消息', read: '已读', unread: '未读', project: '项目',
    new_project: '新建项目', create: '创建', created_ok: '项目已创建', yes: '是', no: '否',
    unset: '未填写', select: '请选择', groups: { basic: '基本信息', investment: '投资与产出',
      land: '用地', review: '评审', agreement: '协议', landing: '落地', performance: '履约',
      exit: '退出', other: '其他' },
    not_found: '未找到', error: '出错了', retry: '重试', close: '关闭', board_workflow: '流程',
    period: { new_projects: '新增项目', new_investment_wan: '新增投资', signed: '签约', started: '开工',
      completed: '竣工', in_production: '投产' },
    drop_here: '可移至此阶段', live: '实时', wan: '万元', yi: '亿元',
    import: { title: '导入项目', link: '导入', file: '文件', drop: '将 CSV 或 Excel（.xlsx）文件拖到此处，或点击选择文件',
      no_file: '请先选择文件', key: '识别已有项目的列', key_none: '不识别（每行新建项目）', id_column: '项目编号',
      key_hint: '重新导入同一文件时，按此列找到已有项目并更新，不会重复创建',
      partial: '只导入无误的行（其余行不导入）', preview: '预览', confirm: '确认导入', reset: '重新选择',
      summary: '新建 {created}，更新 {updated}，未变 {unchanged}，拒绝 {refused}',
      row: '行号', action: '处理', problems: '问题', values: '导入后的值', open: '查看',
      actions: { create: '新建', update: '更新', unchanged: '未变', refused: '拒绝' },
      unknown_columns: '文件中有流程没有的列：', ignore_and_retry: '忽略这些列并重新预览',
      ignored: '未导入的列：{list}', fix_or_partial: '有被拒绝的行：请修改文件后重新预览，或勾选“只导入无误的行”',
      done: '导入完成', not_written: '未写入任何数据', dry_run_note: '以下为预览，尚未写入',
      whole_row: '整行', colon: '：', note: '（{note}）' },
    versions: { title: '流程版本', version: '版本', version_n: '第 {n} 版', latest: '新项目使用此版',
      deployed_at: '部署时间', projects: '项目数', by_stage: '各阶段项目', diff_title: '版本差异',
      from: '从', to: '到', compare: '比较', no_changes: '两个版本没有差别', migrate: '迁移项目',
      migrate_title: '把项目迁移到其他版本', migrate_to: '目标版本', map_from: '原阶段', map_to: '迁移后阶段',
      map_to_of: '“{stage}”迁移后的阶段', not_mapped: '同名阶段（无则不能迁移）', preview: '预览（不改动数据）',
      confirm: '确认迁移', outcome: '结果', reasons: '原因与说明',
      outcomes: { moved: '已迁移', would_move: '将迁移', refused: '不能迁移', already: '已在目标版本' },
      summary_dry: '预览：{moved} 个项目将迁移，{refused} 个不能迁移，{unchanged} 个无需迁移。尚未改动任何数据。',
      summary: '已迁移 {moved} 个项目，{refused} 个不能迁移，{unchanged} 个无需迁移。',
      migrated: '已迁移 {n} 个项目' },
    // kpis (issue 16)
    kpi: { signed_projects: '新签约项目数', signed_investment: '签约额', overdue_start: '超时限未开工',
      cohort_note: '考核口径：{from} 至 {to} 新签约的项目；履约、按期等截至今日。点击数字查看对应项目。',
      funnel_note: '本期新增项目（{from} 至 {to} 创建）目前推进到的阶段；点击查看项目。',
      period_note: '本期内首次进入各阶段的项目数（新签约、新开工、竣工、投产）；点击查看项目。',
      numerator: '分子项目', denominator: '分母项目', monthly: '月报', month: '月份',
      download_monthly: '下载月报（Excel）',
      figure_filter: '统计口径：{figure}', figure_period: '{from} 至 {to}', clear_figure: '清除统计口径',
      figures: { new_projects: '新增项目', signed: '新签约项目', started: '新开工项目', completed: '竣工项目',
        in_production: '新投产项目', exited: '退出项目', under_construction: '在建项目',
        cohort: '签约项目（考核口径）', cohort_performing: '履约项目', cohort_started: '已开工的签约项目',
        cohort_start_due: '应开工的签约项目', cohort_started_on_time: '按期开工的签约项目',
        cohort_in_production: '已投产的签约项目', cohort_completed: '已竣工的签约项目',
        cohort_completion_due: '应竣工的签约项目', cohort_completed_on_time: '按期竣工的签约项目',
        overdue_start: '超时限未开工项目', reached: '本期新增且到达“{stage}”的项目' } },
    // funds (issue 16)
    nav_targets: '招商目标',
    funds: { title: '到位资金', month: '到位月份', amount: '金额', source: '资金来源', comment: '说明',
      add: '登记到位资金', recorded: '到位资金已登记', none: '暂无到位资金记录', cumulative: '累计到位',
      rate: '资金到位率', rate_definition: '（累计到位资金 ÷ 承诺投资额，未填时为计划总投资）', amount_wan: '金额（万元）',
      correction_hint: '更正请登记负数金额并填写说明；已登记的记录不能修改或删除。',
      computed: '计算指标', event: '登记到位资金',
      sources: { local: '本市', other_city: '市外省内', other_province: '省外', abroad: '境外' } },
    targets: { title: '招商目标与考核排名', year: '年度', grid: '{year}年目标', unit: '招商单位', figure: '指标',
      saved: '目标已保存', in_wan: '（万元）', new_unit: '新增招商单位', add_unit: '添加', projects_unit: '个',
      edit_hint: '修改后离开输入框即保存；清空即删除该目标。每次修改都会记录修改人和时间。',
      progress: '完成进度（截至 {through}）', rank: '排名', score: '综合完成率',
      score_hint: '综合完成率为已设目标各项完成率的平均数；未设目标的单位不参加排名。',
      history: '修改记录', before: '修改前', after: '修改后' },
    // problems (issue 17)
    nav_problems: '问题台账',
    problems: { ledger: '问题台账', title: '问题', parent: '所属项目', category: '问题类别', unit: '责任单位',
      due: '办结时限', light: '预警', promoting_unit: '所属项目招商单位', export: '导出台账',
      none: '暂无问题', none_workflow: '尚未部署问题台账流程', open_n: '未办结 {n} 个',
      to_ledger: '查看全部问题台账', visit_title: '走访记录并登记问题', problem_n: '问题 {n}', remove: '移除',
      add: '添加问题', save_visit: '保存走访记录', raised: '已保存走访记录，登记问题 {n} 个',
      actions: '操作' },
    // supervise (issue 17)
    nav_handover: '人员交接', supervised: '督办', reassigned: '转交',
    supervise: { supervise: '督办', reassign: '转交', project: '项目', supervise_title: '督办',
      reassign_title: '转交', level: '督办级别', new_due: '新的办理期限', reason: '理由（必填）',
      current_level: '当前督办级别', current_due: '当前办理期限', previous_due: '原办理期限', supervised: '督办', unknown_level: '已督办',
      supervised_done: '已督办', reassigned_done: '已转交', holder: '转交内容', to: '接手人（登录名）',
      from: '交出人（登录名）', person: '人员', handover: '人员交接', handover_submit: '办理交接',
      handover_intro: '把离岗人员负责的全部在办项目（负责人、服务专员、挂点领导等）一次转交给接手人，每个项目单独记录并通知原负责人和新负责人。',
      handover_forbidden: '只有科室负责人或管理员可以办理人员交接', all_holdings: '全部（负责人及各类人员）',
      handover_summary: '已转交 {moved} 项，未转交 {refused} 项', result: '结果', moved: '已转交',
      refused: '未转交', nothing_to_move: '没有需要转交的在办项目',
      light_green: '绿灯', light_yellow: '黄灯', light_red: '红灯',
      light_hint_green: '按期：期限在3个工作日以后', light_hint_yellow: '临期：3个工作日内到期',
      light_hint_red: '逾期：已超过办理期限' },
    // attach (issue 17)
    attach: { title: '附件', drop: '把文件拖到这里，或', choose: '选择文件', uploading: '正在上传“{name}”',
      uploaded: '已上传“{name}”', failed: '“{name}”上传失败：{reason}', none: '暂无附件',
      name: '文件名', type: '类型', size: '大小', by: '上传人', at: '上传时间', open: '打开', download: '下载',
      accepted: '可上传 PDF、JPEG、PNG、OFD、DOCX、XLSX、ZIP，单个文件不超过 50 MiB',
      pick_evidence: '选取附件作为佐证材料', evidence_file: '上传佐证文件', no_pick: '（不选附件）', network: '网络中断',
      attached_event: '上传附件' },
    // step (issue 22 items 1, 2, 5, 6)
    step: { unnamed: '（未命名）', ends_project: '办理后项目即告结束，不可撤销',
      fill_in_form: '须填写 {n} 项必填信息：点击后在表单中填写', fill_intro: '请填写以下尚未填写的必填信息，提交时与本次办理一并保存。',
      block_role: '角色不符', block_guard: '条件未满足', block_review: '评审未通过', block_fields: '缺少信息', block_other: '不可办理',
      cannot_undo: '此操作将使项目进入“{state}”并结束办理，无法撤销。', confirm_label: '我已确认：此操作无法撤销',
      confirm_submit: '确认办理（不可撤销）', confirm_needed: '请先勾选确认：此操作无法撤销',
      required: '必填', not_a_number: '请输入数字', below_min: '不能小于 {min}', above_max: '不能大于 {max}',
      too_long: '不能超过 {max} 个字',
      discard_confirm: '有尚未保存的修改。离开将丢失这些修改，确定离开吗？',
      edit_all: '编辑全部', saves_all: '保存时一并保存所有打开编辑的分组。',
      conflict: '项目已被他人修改，您的修改尚未保存。', conflict_hint: '重新加载后将显示他人修改的内容，并把您的修改重新填入表单，核对后再保存。',
      reload_reapply: '重新加载并重新应用我的修改',
      changed_meanwhile: '在此期间他人修改了以下内容（第 {from} 版 → 第 {to} 版）：', nothing_changed: '他人的修改未涉及项目信息字段。',
      also_mine: '（您也修改了此项，请核对）', reapplied: '您的修改已重新填入下方表单，尚未保存。',
      ev_deadline_fired: '时限提醒', ev_deadline_extended: '延长时限', ev_workflow_migrated: '流程版本迁移', ev_other: '其他记录',
      alert_warning: '即将到期', alert_overdue: '已逾期', alert_due: '到期',
      migrated_detail: '由第 {from} 版迁移到第 {to} 版' },
    // list (issue 22 item 11): ID column, bulk actions, saved filters, export, print dossier
    list: { id: '编号', export: '导出台账（Excel）', export_needs_workflow: '请先选择流程，再导出该流程的台账',
      choose_page: '选择本页全部项目', choose: '选择“{name}”', filters: '筛选条件', filters_n: '筛选条件（已设 {n} 项）' },
    bulk: { bar: '批量操作', chosen: '已选 {n} 个项目', and_more: ' 等，另有 {n} 个', transition_button: '批量办理',
      reassign_button: '批量转交', clear: '取消选择', transition_title: '批量办理', transition: '办理事项',
      transition_hint: '系统逐个项目按规则判定：不符合条件的项目不会办理，并列出原因。',
      reassign_title: '批量转交负责人', transition_summary: '已办理 {done} 个，未办理 {refused} 个',
      reassign_summary: '已转交 {done} 个，未转交 {refused} 个', result: '结果', done: '已完成', refused: '未完成' },
    filters: { saved_label: '已存筛选', choose: '选择已存的筛选', none: '尚无已存筛选', save: '保存当前筛选',
      save_title: '保存筛选', name: '名称', save_hint: '保存当前的筛选条件和排序；同名的筛选会被替换。',
      saved: '已保存筛选“{name}”', remove: '删除此筛选', removed: '已删除筛选“{name}”' },
    dossier: { print: '打印档案', title: '项目档案', id: '项目编号', workflow: '流程', state: '当前阶段',
      owner: '负责人', printed_at: '打印时间', review_record: '评审记录', no_votes: '暂无评审投票',
      voter: '评审委员', choice: '表决', opinion: '意见', at: '时间', closed: '评审结论',
      sign: '经办人（签字）：', sign_leader: '审核人（签字）：', date: '日期：' },
    // issue 22 (board helper): the board's filters and moves, dialogs, dashboard, diagram
    dialog_project: '项目：',
    board: { filters: '看板筛选', mine: '只看我的', promoting_unit: '招商单位', clear: '清除筛选',
      count_n: '{n} 个项目',
      keys: '项目卡片：上下方向键切换卡片，左右方向键切换阶段，Shift+左右方向键把项目移至相邻阶段，回车打开项目',
      refused_blocked: '“{project}”不能移至“{stage}”：{reasons}',
      refused_no_way: '“{project}”不能从“{from}”直接移至“{stage}”：流程没有这一步' },
    dash: { no_right: '管理驾驶舱仅对科室负责人、管委会领导和管理员开放', range_inverted: '结束日期早于开始日期',
      failed: '加载失败：' },
    diagram: { any_state: '任一阶段', ways_in: '进入方式', ways_out: '可办理的操作' },
    // 我的待办, comments, inbox settings, committee (issue 22)
    mywork: { title: '我的待办', nav: '待办', nav_count: '待办 {n}', actions: '可办理的操作',
      deadlines: '临期与逾期', votes: '待我投票', problems: '交办给我的问题', mentions: '提及我的评论',
      none: '暂无', overdue: '已逾期', warning: '即将到期', days_left: '剩余 {n} 个工作日',
      days_over: '已逾期 {n} 个工作日', votes_cast: '已有 {n} 票', due_on: '期限 {date}',
      go: '去办理', kinds: { sla: '阶段时限', milestone: '节点', followup: '跟踪走访' } },
    comments: { title: '评论', placeholder: '写下评论，输入 @ 提及同事', submit: '发表评论',
      posted: '评论已发表', none: '暂无评论', event: '评论', mentions: '提及：',
      suggestions: '可提及的同事', read_only: '只读角色不能发表评论' },
    inbox: { type: '类型', all_types: '全部类型', more: '加载更多', settings: '通知设置',
      deadlines: '时限提醒', each: '逐条提醒', digest: '每日汇总为一条', saved: '通知设置已保存',
      types: { deadline_fired: '时限提醒', transition_taken: '流转', commented: '评论与提及',
        vote_cast: '评审投票', supervised: '督办', reassigned: '转交', digest: '每日汇总',
        project_created: '新项目' } },
    committee: { closed: '已结束的评审', decision: '评审结论', blind_hidden: '背靠背投票：您投票后可看到其他委员的意见（已有 {n} 票）',
      blind: '背靠背投票', closed_at: '结束于', quorum_event: '达到法定票数' },
  },
  en: {
    app_name: 'Investment projects', skip_to_content: 'Skip to content', loading: 'Loading…',
    nav_board: 'Pipeline board', nav_projects: 'Projects', nav_dashboard: 'Dashboard',
    nav_workflow: 'Workflow rules', nav_notifications: 'Notifications', nav_new: 'New project',
    language: 'Language', logout: 'Log out', notifications_unread: '{n} unread notifications',
    login_title: 'Log in', username: 'User name', password: 'Password', login: 'Log in',
    login_failed: 'Wrong user name or password', too_many: 'Too many attempts; try again later',
    roles: { staff: 'Investment officer', secretariat: 'Review secretariat', reviewer: 'Reviewer',
      manager: 'Section head', leader: 'Zone leader', auditor: 'Auditor (read-only)', admin: 'Administrator' },
    workflow: 'Workflow', stage: 'Stage', industry: 'Industry', chain_role: 'Chain role', owner: 'Owner',
    overdue: 'Overdue', search: 'Search', search_placeholder: 'Project ID, name or investor', sort: 'Sort',
    all: 'All', apply: 'Search', next_page: 'Next page', first_page: 'First page', no_projects: 'No projects match',
    sort_updated: 'Last updated', sort_created: 'Created', sort_name: 'Name', sort_investment: 'Investment',
    sort_due: 'Due date', descending: 'Descending', name: 'Project name', investor: 'Investor',
    investment: 'Total investment', updated: 'Updated', due: 'Due', state: 'Stage', open: 'Open',
    count: 'Projects', total_investment: 'Total investment', cards_more: '{n} more projects not shown',
    take_transition: 'Act', move_to: 'Move to', blocked: 'Blocked', no_transitions: 'Nothing you can do at this stage',
    transitions: 'Actions', fields: 'Project details', edit: 'Edit', save: 'Save', cancel: 'Cancel',
    saved: 'Saved', comment: 'Comment', comment_required: 'Comment (required)', submit: 'Submit',
    required_fields: 'Required fields', done: 'Done', failed: 'Not done',
    review: 'Review', votes_cast: 'Votes cast', quorum: 'Quorum', approve: 'Approve', reject: 'Reject',
    abstain: 'Abstain', recuse: 'Recuse', my_vote: 'My vote', vote: 'Vote', cast_vote: 'Vote', change_vote: 'Change vote', voted: 'Vote recorded',
    no_review: 'No review at this stage', review_result: 'Outcome', passed: 'Passed', not_passed: 'Not passed',
    milestones: 'Milestones', planned_on: 'Planned', done_on: 'Actual', due_on: 'Deadline',
    evidence: 'Evidence', record: 'Record', no_milestones: 'No milestones yet', milestone: 'Milestone',
    followups: 'Follow-up visits', visit_on: 'Visit date', summary: 'Summary', issues: 'Issues (one per line)',
    add_followup: 'Add visit', no_followups: 'No visits yet', followup_due: 'Next visit due',
    history: 'History', chain_ok: 'Record chain verified', chain_broken: 'Record chain broken: records may have been altered',
    actor: 'By', time: 'Time', changes: 'Changes', created: 'Created', edited: 'Edited fields',
    voted_event: 'Vote', milestone_event: 'Milestone recorded', followup_event: 'Visit recorded', transition_event: 'Action',
    estimated: ' (estimated)', estimated_hint: 'Counted on weekends alone: the calendar has no official holidays for that year yet',
    sla_due: 'Stage deadline', version: 'Version', not_available: 'Not available: the server does not offer this yet', forbidden: 'Your role may not see this report',
    dashboard: 'Manager dashboard', funnel: 'Funnel by stage', by_industry: 'Investment by industry',
    by_chain_role: 'Investment by chain role', aging: 'Time in stage (working days)', median: 'Median', p90: '90th percentile',
    samples: 'Samples', overdue_list: 'Overdue projects', kpis: 'Key indicators', period_summary: 'Period summary',
    from: 'From', to: 'To', from_state: 'From stage', to_state: 'To stage', export_csv: 'Export CSV', export_xlsx: 'Export Excel', reached: 'Reached',
    rate_from_start: 'Rate from start', rate_from_previous: 'Rate from previous', longest_waiting: 'Waiting longest',
    days: 'working days', pipeline: 'Pipeline',
    workflow_view: 'Workflow rules', roles_label: 'Roles', requires_label: 'Required fields', guards_label: 'Checks',
    comment_rule: 'Comment', terminal: 'Terminal', review_state: 'Review stage', sla_label: 'Time limit',
    hover_hint: 'Hover over (or tab to) an arrow or a stage to see its rules', transitions_table: 'All actions',
    notifications: 'Notifications', unread_only: 'Unread only', mark_read: 'Mark read', mark_all_read: 'Mark all read',
    no_notifications: 'No notifications', read: 'Read', unread: 'Unread', project: 'Project',
    new_project: 'New project', create: 'Create', created_ok: 'Project created', yes: 'Yes', no: 'No',
    unset: 'Not set', select: 'Choose…', groups: { basic: 'Basics', investment: 'Investment and output',
      land: 'Land', review: 'Review', agreement: 'Agreement', landing: 'Landing', performance: 'Performance',
      exit: 'Exit', other: 'Other' },
    not_found: 'Not found', error: 'Something went wrong', retry: 'Retry', close: 'Close', board_workflow: 'Workflow',
    period: { new_projects: 'New projects', new_investment_wan: 'New investment', signed: 'Signed',
      started: 'Started', completed: 'Completed', in_production: 'In production' },
    drop_here: 'Can move here', live: 'Live', wan: '10k yuan', yi: '100M yuan',
    import: { title: 'Import projects', link: 'Import', file: 'File', drop: 'Drop a CSV or Excel (.xlsx) file here, or click to choose one',
      no_file: 'Choose a file first', key: 'Column identifying existing projects', key_none: 'None (every row creates a project)',
      id_column: 'Project ID',
      key_hint: 'Importing the same file again finds existing projects by this column and updates them instead of creating duplicates',
      partial: 'Import only the rows without problems', preview: 'Preview', confirm: 'Import', reset: 'Choose another file',
      summary: '{created} to create, {updated} to update, {unchanged} unchanged, {refused} refused',
      row: 'Row', action: 'Action', problems: 'Problems', values: 'Values as imported', open: 'Open',
      actions: { create: 'Create', update: 'Update', unchanged: 'Unchanged', refused: 'Refused' },
      unknown_columns: 'Columns the workflow does not have:', ignore_and_retry: 'Leave them out and preview again',
      ignored: 'Columns left out: {list}', fix_or_partial: 'Some rows are refused: fix the file and preview again, or tick "Import only the rows without problems"',
      done: 'Import finished', not_written: 'Nothing was written', dry_run_note: 'A preview: nothing written yet',
      whole_row: 'Whole row', colon: ': ', note: ' ({note})' },
    versions: { title: 'Workflow versions', version: 'Version', version_n: 'Version {n}',
      latest: 'New projects start here', deployed_at: 'Deployed', projects: 'Projects', by_stage: 'Projects by stage',
      diff_title: 'Changes between versions', from: 'From', to: 'To', compare: 'Compare', no_changes: 'No differences',
      migrate: 'Migrate projects', migrate_title: 'Move projects to another version', migrate_to: 'Target version',
      map_from: 'Stage now', map_to: 'Stage after', map_to_of: 'Stage after "{stage}"',
      not_mapped: 'Same name (none: cannot move)', preview: 'Preview (changes nothing)', confirm: 'Migrate',
      outcome: 'Outcome', reasons: 'Reasons and notes',
      outcomes: { moved: 'Moved', would_move: 'Would move', refused: 'Cannot move', already: 'On the target already' },
      summary_dry: 'Preview: {moved} projects would move, {refused} cannot, {unchanged} need not. Nothing has changed yet.',
      summary: '{moved} projects moved, {refused} could not, {unchanged} need not.',
      migrated: '{n} projects moved' },
    // kpis (issue 16)
    kpi: { signed_projects: 'Newly signed projects', signed_investment: 'Signed investment',
      overdue_start: 'Construction start overdue',
      cohort_note: 'Cohort: projects signed {from} to {to}; kept agreements and on-time figures as of today. Click a number for its projects.',
      funnel_note: 'How far the projects created {from} to {to} have got; click for the projects.',
      period_note: 'Projects that first entered each stage in the period (signed, started, completed, in production); click for the projects.',
      numerator: 'Numerator projects', denominator: 'Denominator projects', monthly: 'Monthly report', month: 'Month',
      download_monthly: 'Download the monthly report (Excel)',
      figure_filter: 'Counted by: {figure}', figure_period: '{from} to {to}', clear_figure: 'Clear the figure filter',
      figures: { new_projects: 'New projects', signed: 'Newly signed', started: 'Construction started',
        completed: 'Completed', in_production: 'Production started', exited: 'Exited',
        under_construction: 'Under construction', cohort: 'Signed projects (the cohort)',
        cohort_performing: 'Keeping their agreement', cohort_started: 'Signed projects started',
        cohort_start_due: 'Signed projects due to have started', cohort_started_on_time: 'Signed projects started on time',
        cohort_in_production: 'Signed projects in production', cohort_completed: 'Signed projects completed',
        cohort_completion_due: 'Signed projects due to be completed',
        cohort_completed_on_time: 'Signed projects completed on time', overdue_start: 'Construction start overdue',
        reached: 'Created in the period and reached "{stage}"' } },
    // funds (issue 16)
    nav_targets: 'Targets',
    funds: { title: 'Funds in place', month: 'Month', amount: 'Amount', source: 'Source', comment: 'Comment',
      add: 'Record funds', recorded: 'Funds recorded', none: 'No funds recorded yet', cumulative: 'Total in place',
      rate: 'Funds-in-place rate', rate_definition: '(funds in place ÷ committed investment, else planned investment)',
      amount_wan: 'Amount (10k CNY)',
      correction_hint: 'To correct, record a negative amount with a comment; entries are never edited or deleted.',
      computed: 'Computed figures', event: 'Funds recorded',
      sources: { local: 'Local (this city)', other_city: 'Elsewhere in the province', other_province: 'Other provinces',
        abroad: 'Abroad' } },
    targets: { title: 'Targets and ranking', year: 'Year', grid: 'Targets for {year}', unit: 'Promoting unit',
      figure: 'Figure', saved: 'Target saved', in_wan: ' (10k CNY)', new_unit: 'New promoting unit', add_unit: 'Add', projects_unit: '',
      edit_hint: 'A value is saved when you leave its box; empty removes the target. Every change is recorded.',
      progress: 'Progress (up to {through})', rank: 'Rank', score: 'Overall',
      score_hint: 'Overall is the mean of the completion rates of the figures with a target; units without one are not ranked.',
      history: 'Changes', before: 'Before', after: 'After' },
    // problems (issue 17)
    nav_problems: 'Problems',
    problems: { ledger: 'Problem ledger', title: 'Problem', parent: 'Project', category: 'Category',
      unit: 'Responsible unit', due: 'Deadline', light: 'Light', promoting_unit: "Project's promoting unit",
      export: 'Export (Excel)', none: 'No problems', none_workflow: 'No problem workflow is deployed',
      open_n: '{n} open', to_ledger: 'All problems', visit_title: 'Record a visit and raise problems',
      problem_n: 'Problem {n}', remove: 'Remove', add: 'Add a problem', save_visit: 'Save the visit',
      raised: 'Visit saved, {n} problems raised', actions: 'Actions' },
    // supervise (issue 17)
    nav_handover: 'Handover', supervised: 'Supervised', reassigned: 'Reassigned',
    supervise: { supervise: 'Supervise', reassign: 'Reassign', project: 'Project', supervise_title: 'Supervise',
      reassign_title: 'Reassign', level: 'Supervision level', new_due: 'New due date', reason: 'Reason (required)',
      current_level: 'Current level', current_due: 'Current due date', previous_due: 'Previous due date', supervised: 'Supervised', unknown_level: 'supervised',
      supervised_done: 'Supervised', reassigned_done: 'Reassigned', holder: 'What to hand over', to: 'Taken over by (login)',
      from: 'Handed over by (login)', person: 'Person', handover: 'Handover', handover_submit: 'Hand over',
      handover_intro: "Hands every open project a departing person holds (owner, service officer, liaison leader…) to another person; each project records it and tells the old and the new holder.",
      handover_forbidden: 'Only managers and admins can hand over projects', all_holdings: 'All (owner and named people)',
      handover_summary: '{moved} handed over, {refused} not', result: 'Result', moved: 'Handed over',
      refused: 'Not handed over', nothing_to_move: 'No open project to hand over',
      light_green: 'Green', light_yellow: 'Yellow', light_red: 'Red',
      light_hint_green: 'On time: due in more than 3 working days', light_hint_yellow: 'Due within 3 working days',
      light_hint_red: 'Overdue' },
    // attach (issue 17)
    attach: { title: 'Attachments', drop: 'Drop files here, or', choose: 'choose files', uploading: 'Uploading "{name}"',
      uploaded: 'Uploaded "{name}"', failed: 'Uploading "{name}" failed: {reason}', none: 'No attachments yet',
      name: 'Name', type: 'Type', size: 'Size', by: 'By', at: 'Uploaded', open: 'Open', download: 'Download',
      accepted: 'PDF, JPEG, PNG, OFD, DOCX, XLSX or ZIP, up to 50 MiB each',
      pick_evidence: 'Pick an attachment as evidence', evidence_file: 'Upload the evidence file', no_pick: '(no attachment)', network: 'network error',
      attached_event: 'File attached' },
    // step (issue 22 items 1, 2, 5, 6)
    step: { unnamed: '(unnamed)', ends_project: 'Ends the project; cannot be undone',
      fill_in_form: '{n} required details missing: fill them in the form', fill_intro: 'Fill in the required details still missing; they are saved with this action.',
      block_role: 'Not your role', block_guard: 'Condition not met', block_review: 'Review not passed', block_fields: 'Details missing', block_other: 'Not possible',
      cannot_undo: 'This moves the project to "{state}" and ends it. It cannot be undone.', confirm_label: 'I confirm this cannot be undone',
      confirm_submit: 'Confirm (cannot be undone)', confirm_needed: 'Tick the confirmation first: this cannot be undone',
      required: 'Required', not_a_number: 'Enter a number', below_min: 'At least {min}', above_max: 'At most {max}',
      too_long: 'At most {max} characters',
      discard_confirm: 'You have unsaved changes. Leaving drops them. Leave anyway?',
      edit_all: 'Edit all', saves_all: 'Saving saves every group open for editing.',
      conflict: 'Someone else changed the project; your changes are not saved.', conflict_hint: 'Reloading shows what they changed and puts your changes back into the form to check and save.',
      reload_reapply: 'Reload and reapply my changes',
      changed_meanwhile: 'Changed by others meanwhile (version {from} → {to}):', nothing_changed: 'Their changes touched no project details.',
      also_mine: '(you changed this too: check it)', reapplied: 'Your changes are back in the form below, not saved yet.',
      ev_deadline_fired: 'Deadline alert', ev_deadline_extended: 'Deadline extended', ev_workflow_migrated: 'Workflow version migrated', ev_other: 'Other record',
      alert_warning: 'due soon', alert_overdue: 'overdue', alert_due: 'due',
      migrated_detail: 'From version {from} to version {to}' },
    // list (issue 22 item 11)
    list: { id: 'ID', export: 'Export ledger (Excel)', export_needs_workflow: 'Choose a workflow to export its ledger',
      choose_page: 'Choose every project on this page', choose: 'Choose "{name}"', filters: 'Filters',
      filters_n: 'Filters ({n} set)' },
    bulk: { bar: 'Bulk actions', chosen: '{n} projects chosen', and_more: ' and {n} more', transition_button: 'Take a step',
      reassign_button: 'Reassign', clear: 'Clear choice', transition_title: 'Bulk step', transition: 'Step',
      transition_hint: 'Each project is decided on its own by the rules: those that cannot take the step are left as they are, with the reason.',
      reassign_title: 'Reassign owners', transition_summary: '{done} done, {refused} not done',
      reassign_summary: '{done} reassigned, {refused} not', result: 'Result', done: 'Done', refused: 'Not done' },
    filters: { saved_label: 'Saved filters', choose: 'Choose a saved filter', none: 'No saved filters yet',
      save: 'Save these filters', save_title: 'Save filter', name: 'Name',
      save_hint: 'Saves the filters and the sort in use; a filter of the same name is replaced.',
      saved: 'Saved filter "{name}"', remove: 'Delete this filter', removed: 'Deleted filter "{name}"' },
    dossier: { print: 'Print dossier', title: 'Project dossier', id: 'Project ID', workflow: 'Workflow', state: 'Stage',
      owner: 'Owner', printed_at: 'Printed', review_record: 'Review record', no_votes: 'No votes recorded',
      voter: 'Reviewer', choice: 'Vote', opinion: 'Opinion', at: 'Time', closed: 'Review outcome',
      sign: 'Handled by (signature):', sign_leader: 'Approved by (signature):', date: 'Date:' },
    // issue 22 (board helper): the board's filters and moves, dialogs, dashboard, diagram
    dialog_project: 'Project: ',
    board: { filters: 'Board filters', mine: 'Only mine', promoting_unit: 'Promoting unit', clear: 'Clear filters',
      count_n: '{n} projects',
      keys: 'Project cards: up and down arrows move between cards, left and right between stages, Shift+left or right moves the project to the next stage, Enter opens it',
      refused_blocked: '"{project}" cannot move to "{stage}": {reasons}',
      refused_no_way: '"{project}" cannot go from "{from}" straight to "{stage}": the workflow has no such step' },
    dash: { no_right: 'The dashboard is for section heads, zone leaders and administrators', range_inverted: 'The end date is before the start date',
      failed: 'Could not load: ' },
    diagram: { any_state: 'Any stage', ways_in: 'Ways in', ways_out: 'Actions' },
    // my work, comments, inbox settings, committee (issue 22)
    mywork: { title: 'My work', nav: 'To do', nav_count: 'To do {n}', actions: 'Next actions',
      deadlines: 'Due soon and overdue', votes: 'Votes I owe', problems: 'Problems assigned to me',
      mentions: 'Mentions of me', none: 'Nothing here', overdue: 'Overdue', warning: 'Due soon',
      days_left: '{n} working days left', days_over: '{n} working days overdue', votes_cast: '{n} votes cast',
      due_on: 'due {date}', go: 'Open',
      kinds: { sla: 'Stage limit', milestone: 'Milestone', followup: 'Follow-up visit' } },
    comments: { title: 'Comments', placeholder: 'Write a comment; type @ to mention a colleague', submit: 'Post comment',
      posted: 'Comment posted', none: 'No comments yet', event: 'Comment', mentions: 'Mentions: ',
      suggestions: 'Colleagues to mention', read_only: 'A read-only role cannot comment' },
    inbox: { type: 'Type', all_types: 'All types', more: 'Load more', settings: 'Notification settings',
      deadlines: 'Deadline alerts', each: 'One by one', digest: 'One daily digest', saved: 'Settings saved',
      types: { deadline_fired: 'Deadline alerts', transition_taken: 'Transitions', commented: 'Comments and mentions',
        vote_cast: 'Votes', supervised: 'Supervision', reassigned: 'Handovers', digest: 'Daily digests',
        project_created: 'New projects' } },
    committee: { closed: 'Closed reviews', decision: 'Decision', blind_hidden: 'Blind ballot: you see the others\' votes once you have voted ({n} cast)',
      blind: 'Blind ballot', closed_at: 'Closed', quorum_event: 'Quorum reached' },
  },
};

const kStorageKey = 'investflow.lang';
let current = localStorage.getItem(kStorageKey) === 'en' ? 'en' : 'zh-CN';

export function lang() { return current; }

export function setLang(value) {
  current = value === 'en' ? 'en' : 'zh-CN';
  localStorage.setItem(kStorageKey, current);
  document.documentElement.lang = current;
}

// t('cards_more', {n: 3}); t('roles.staff')
export function t(key, params = {}) {
  let value = key.split('.').reduce((node, part) => (node ? node[part] : undefined), texts[current]);
  if (value === undefined) value = key.split('.').pop();
  return String(value).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

// A label object from the API: {"zh-CN": ..., "en": ...} (or {"zh": ..., "en": ...}).
export function pick(label, fallback = '') {
  if (!label) return fallback;
  if (typeof label === 'string') return label;
  const zh = label['zh-CN'] ?? label.zh;
  const text = current === 'en' ? label.en || zh : zh || label.en;
  return text || fallback;
}

// Money held in 万元: Chinese shows 万元 or 亿元 (from 1亿 up); English shows CNY millions.
export function money(wan) {
  if (wan === null || wan === undefined || wan === '') return '—';
  const value = Number(wan);
  if (current === 'en') {
    return `CNY ${(value / 100).toLocaleString('en', {maximumFractionDigits: 2})}m`;
  }
  if (Math.abs(value) >= 10000) {
    return `${(value / 10000).toLocaleString('zh-CN', {maximumFractionDigits: 2})}亿元`;
  }
  return `${value.toLocaleString('zh-CN', {maximumFractionDigits: 2})}万元`;
}

// The zone runs on China Standard Time: times read the same in any browser's zone.
export const kTimeZone = 'Asia/Shanghai';

// An RFC 3339 timestamp from the server ("2026-03-02T09:00:00.000+08:00"), in China time.
export function dateTime(timestamp) {
  if (!timestamp) return '';
  return new Date(timestamp).toLocaleString(current === 'en' ? 'en-GB' : 'zh-CN',
    {hour12: false, timeZone: kTimeZone});
}

export function percent(rate) {
  if (rate === null || rate === undefined) return '—';
  return `${(Number(rate) * 100).toFixed(1)}%`;
}

// Static markup with data-i18n="key" (index.html) follows the language too.
export function translateStatic(root = document) {
  for (const element of root.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
}

// Units from the workflow definitions are Chinese; English shows their usual renderings.
const kEnglishUnits = {'万元': '10k CNY', '亿元': '100M CNY', '亩': 'mu', '万元/亩': '10k CNY/mu',
  'm²': 'm²', 'tce/年': 'tce/year', '人': 'people', '个': 'items', '年': 'years', '月': 'months',
  '天': 'days'};
export function unit(text) {
  if (!text || current !== 'en') return text || '';
  return kEnglishUnits[text] ?? text.replace(/万元/g, '10k CNY').replace(/亩/g, 'mu')
      .replace(/年/g, 'year').replace(/[^\x00-\x7F²³]/g, '');
}
