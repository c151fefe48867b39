#pragma once
// The small workflow the storage tests (and the crash-test child) write projects of.

#include <memory>

#include "engine/calendar.hpp"
#include "engine/date.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage::testing {

// lead -> review -> signed, back from review to lead, reject from anywhere.
inline constexpr const char* kMiniWorkflow = R"yaml(
workflow: mini
version: 1
title: {zh-CN: 测试流程, en: Mini}
calendar: weekends
roles: [staff, manager]
fields:
  name: {type: text, required: true, max: 200, label: {zh-CN: 项目名称, en: Name}, report: name}
  investor: {type: text, label: {zh-CN: 投资主体, en: Investor}, report: enterprise}
  industry:
    type: enum
    report: industry
    options: [new_materials, electronics, other]
    label: {zh-CN: 所属产业, en: Industry}
    option_labels:
      new_materials: {zh-CN: 新材料, en: New materials}
      electronics: {zh-CN: 电子信息, en: Electronics}
      other: {zh-CN: 其他, en: Other}
  total_investment: {type: money, unit: 万元, min: 0, label: {zh-CN: 计划总投资, en: Total investment}, report: investment}
  land_area: {type: area, unit: 亩, min: 0, label: {zh-CN: 用地面积, en: Land area}}
  priority: {type: bool, label: {zh-CN: 重点项目, en: Priority}}
  signed_on: {type: date, label: {zh-CN: 签约日期, en: Signed on}}
initial: lead
states:
  lead: {label: {zh-CN: 线索, en: Lead}, sla: {working_days: 2}}
  review: {label: {zh-CN: 评审, en: Review}}
  signed: {label: {zh-CN: 已签约, en: Signed}, report: signed}
  rejected: {label: {zh-CN: 未通过, en: Rejected}, terminal: true}
transitions:
  - id: submit
    from: lead
    to: review
    roles: [staff]
    requires: [industry, total_investment]
  - id: back
    from: review
    to: lead
    roles: [manager]
  - id: sign
    from: review
    to: signed
    roles: [manager]
    requires: [signed_on]
    guards:
      - check: "total_investment >= 1000"
        field: total_investment
        message: {zh-CN: "总投资 {total_investment} 万元 不足", en: "too small"}
  - id: reject
    from: "*"
    to: rejected
    roles: [manager]
    comment: required
notify:
  - on: {enter: review}
    to: [owner, role:manager]
    channels: [inbox, webhook]
  - on: sign
    to: [role:manager]
    channels: [inbox]
)yaml";

inline workflows::CalendarRegistry test_calendars() {
  workflows::CalendarRegistry calendars;
  calendars.add(std::make_shared<engine::Calendar>(engine::Calendar::weekends_only("weekends")));
  return calendars;
}

// 2026-03-02 09:00 in China (a Monday).
inline constexpr engine::Timestamp kMonday = 1772413200000;

}  // namespace investflow::storage::testing
