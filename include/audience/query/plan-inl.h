// Definitions for plan.h: lowering, linearisation and BuildPlan.
#ifndef AUDIENCE_QUERY_PLAN_INL_H_
#define AUDIENCE_QUERY_PLAN_INL_H_

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "audience/query/optimizer.h"
#include "audience/query/plan.h"
#include "audience/store/store.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace plan_internal {

inline PlanNode LowerNode(const BoundExpr& e, const Schema& schema, Plan* plan) {
  using K = BoundExpr::Kind;
  using Op = PlanNode::Op;
  PlanNode n;
  switch (e.kind) {
    case K::kAll: n.op = Op::kAll; return n;
    case K::kNone: n.op = Op::kNone; return n;
    case K::kAnd: n.op = Op::kAnd; break;
    case K::kOr: n.op = Op::kOr; break;
    case K::kNot: n.op = Op::kNot; break;
    case K::kAtLeast: n.op = Op::kAtLeast; n.count = e.count; break;
    default: {
      n.op = Op::kLeaf;
      n.leaf = static_cast<uint32_t>(plan->leaves.size());
      plan->leaves.push_back(PlanLeaf{.expr = e, .text = Describe(e, schema)});
      return n;
    }
  }
  for (const BoundExpr& c : e.children) n.children.push_back(LowerNode(c, schema, plan));
  return n;
}

class Linearizer {
 public:
  explicit Linearizer(Plan* plan) : plan_(plan) {}

  uint32_t Emit(PlanStep step) {
    plan_->steps.push_back(std::move(step));
    return static_cast<uint32_t>(plan_->steps.size() - 1);
  }
  uint32_t ScopeRegister(uint32_t scope) {
    return Emit(PlanStep{.op = PlanStep::Op::kScope, .scope = scope});
  }

  uint32_t Node(const PlanNode& n, uint32_t scope) {
    if (n.shared_id >= 0) {
      auto it = shared_.find(n.shared_id);
      uint32_t reg;
      if (it != shared_.end()) {
        reg = it->second;
      } else {
        PlanNode copy = n;
        copy.shared_id = -1;
        reg = Node(copy, PlanStep::kRoot);
        shared_.emplace(n.shared_id, reg);
      }
      if (scope == PlanStep::kRoot) return reg;
      return Emit(PlanStep{.op = PlanStep::Op::kShared, .scope = scope, .in = {reg}});
    }
    using Op = PlanNode::Op;
    switch (n.op) {
      case Op::kAll: return ScopeRegister(scope);
      case Op::kNone: return Emit(PlanStep{.op = PlanStep::Op::kNone, .scope = scope});
      case Op::kLeaf: return Emit(PlanStep{.op = PlanStep::Op::kLeaf, .scope = scope, .leaf = n.leaf});
      case Op::kAnd: {
        uint32_t cur = scope;
        for (const PlanNode& c : n.children) cur = Node(c, cur);
        if (n.minus.empty()) return cur == PlanStep::kRoot ? ScopeRegister(cur) : cur;
        if (cur == PlanStep::kRoot) cur = ScopeRegister(cur);
        PlanStep step{.op = PlanStep::Op::kAndNot, .scope = cur, .in = {cur}};
        for (const PlanNode& m : n.minus) step.in.push_back(Node(m, cur));
        return Emit(std::move(step));
      }
      case Op::kNot: {
        uint32_t base = ScopeRegister(scope);
        uint32_t sub = Node(n.children[0], base);
        return Emit(PlanStep{.op = PlanStep::Op::kAndNot, .scope = base, .in = {base, sub}});
      }
      case Op::kOr:
      case Op::kAtLeast: {
        PlanStep step{.op = n.op == Op::kOr ? PlanStep::Op::kOr : PlanStep::Op::kAtLeast,
                      .scope = scope, .count = n.count};
        for (const PlanNode& c : n.children) step.in.push_back(Node(c, scope));
        return Emit(std::move(step));
      }
    }
    return Emit(PlanStep{.op = PlanStep::Op::kNone, .scope = scope});
  }

 private:
  Plan* plan_;
  absl::flat_hash_map<int32_t, uint32_t> shared_;
};

}  // namespace plan_internal

AUDIENCE_FUNC Plan plan_internal::Lower(const BoundExpr& expr, const Schema& schema,
                                        UnixSeconds now) {
  Plan plan;
  plan.now = now;
  plan.root = LowerNode(expr, schema, &plan);
  return plan;
}

AUDIENCE_FUNC void plan_internal::Linearize(Plan* plan) {
  plan->steps.clear();
  Linearizer l(plan);
  uint32_t out = l.Node(plan->root, PlanStep::kRoot);
  // The result must be the last step (a bare shared reference may not be).
  if (out + 1 != plan->steps.size() || plan->steps.empty()) {
    l.Emit(PlanStep{.op = PlanStep::Op::kShared, .scope = PlanStep::kRoot, .in = {out}});
  }
}

AUDIENCE_FUNC std::string Plan::ToString() const {
  static constexpr std::string_view kOp[] = {"scope", "none",  "leaf",    "or",
                                             "and-not", "at-least", "shared"};
  std::string out;
  auto reg = [](uint32_t r) { return r == PlanStep::kRoot ? std::string("all") : fmt::format("#{}", r); };
  for (size_t i = 0; i < steps.size(); ++i) {
    const PlanStep& s = steps[i];
    std::string what;
    auto list = [&](size_t from, std::string_view sep) {
      for (size_t j = from; j < s.in.size(); ++j) {
        if (j > from) what += sep;
        what += reg(s.in[j]);
      }
    };
    switch (s.op) {
      case PlanStep::Op::kLeaf: what = leaves[s.leaf].text; break;
      case PlanStep::Op::kScope: case PlanStep::Op::kNone: break;
      case PlanStep::Op::kOr: case PlanStep::Op::kShared: list(0, ", "); break;
      case PlanStep::Op::kAndNot: what = reg(s.in[0]) + " - "; list(1, ", "); break;
      case PlanStep::Op::kAtLeast: what = fmt::format("{} of ", s.count); list(0, ", "); break;
    }
    out += fmt::format("#{:<3} {:<8} {}  [scope {}]{}\n", i, kOp[static_cast<int>(s.op)], what,
                       reg(s.scope), s.count_only ? " (count only)" : "");
  }
  return out;
}

AUDIENCE_FUNC Plan BuildPlan(const Store& store, const BoundExpr& expr, UnixSeconds now,
                             const PlanOptions& options) {
  Plan plan = plan_internal::Lower(expr, store.schema(), now);
  plan.mode = options.mode;
  plan.k = options.k;
  plan.chunked = options.chunked;
  if (options.optimize) {
    RunTreePasses(store, &plan);
    plan_internal::Linearize(&plan);
    RunStepPasses(store, &plan);
  } else {
    plan_internal::Linearize(&plan);
  }
  return plan;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_PLAN_INL_H_
