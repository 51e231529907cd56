// Template::Execute: walks the node tree against a dot Value.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "tmpl/ast.h"
#include "tmpl/go_format.h"
#include "tmpl/template.h"

namespace kv::tmpl {
namespace {

static_assert(kMaxValueBytes == Budget::kMaxOutputBytes,
              "a function may make no longer a string than a rendering may write");

using ast::Command;
using ast::Node;
using ast::Operand;
using ast::Pipeline;

struct ExecError {
  size_t pos;
  std::string message;
};

enum class Flow { kNormal, kBreak, kContinue };

// The fields and methods of a time (time.Time's, also reached through
// metav1.Time's embedding). nullopt if `name` is not one of them.
std::optional<FunctionResult> TimeMember(const Time& t, const std::string& name,
                                         std::span<const Value> args) {
  auto no_args = [&]() -> std::optional<std::string> {
    if (!args.empty())
      return "wrong number of args for " + name + ": want 0 got " + std::to_string(args.size());
    return std::nullopt;
  };
  int64_t unix_ns_div = 0;
  if (name == "Time" || name == "UTC" || name == "Local") {
    if (auto e = no_args()) return tl::unexpected(*e);
    Time g = t;
    g.type = Time::Type::kGo;
    return Value(g);
  }
  if (name == "Unix")
    unix_ns_div = 1000000000;
  else if (name == "UnixMilli")
    unix_ns_div = 1000000;
  else if (name == "UnixMicro")
    unix_ns_div = 1000;
  else if (name == "UnixNano")
    unix_ns_div = 1;
  if (unix_ns_div) {
    if (auto e = no_args()) return tl::unexpected(*e);
    int64_t per_sec = 1000000000 / unix_ns_div;
    int64_t sub = t.nanos / unix_ns_div;
    return Value(t.seconds * per_sec + sub);
  }
  if (name == "IsZero") {
    if (auto e = no_args()) return tl::unexpected(*e);
    return Value(t.IsZero());
  }
  if (name == "String") {
    if (auto e = no_args()) return tl::unexpected(*e);
    return Value(Print(Value(t)));
  }
  if (name == "Format") {
    if (args.size() != 1)
      return tl::unexpected("wrong number of args for Format: want 1 got " +
                            std::to_string(args.size()));
    if (args[0].kind() != Value::Kind::kString)
      return tl::unexpected("wrong type for value; expected string; got " +
                            std::string(args[0].TypeName()));
    std::string out;
    AppendTimeFormat(&out, t, args[0].AsString());
    return Value(std::move(out));
  }
  return std::nullopt;
}

// The steps a function's result costs (Budget): one per list or map
// element and per 64 bytes of string, through nested lists and maps.
// Counting stops once past `limit`: lists share their elements, so a list
// holding another twice, twenty levels deep, would take 2^20 visits.
// Structs (the event and its parts) cost one: their size comes from the API
// server, not from the template.
int64_t Weight(const Value& v, int64_t limit) {
  switch (v.kind()) {
    case Value::Kind::kString:
      return 1 + static_cast<int64_t>(v.AsString().size() / 64);
    case Value::Kind::kList: {
      int64_t w = 1;
      for (const Value& e : v.AsList().items) {
        if (w > limit) break;
        w += Weight(e, limit - w);
      }
      return w;
    }
    case Value::Kind::kMap: {
      const MapData& m = v.AsMap();
      if (m.is_struct || m.field) return 1;
      int64_t w = 1;
      for (const auto& [k, e] : m.entries) {
        if (w > limit) break;
        w += static_cast<int64_t>(k.size() / 64) + Weight(e, limit - w);
      }
      return w;
    }
    default:
      return 1;
  }
}

class Executor {
 public:
  Executor(std::string* out, const Value& dot, Budget* budget) : out_(out), budget_(budget) {
    vars_.emplace_back("$", dot);
  }

  Flow Walk(const Value& dot, const std::vector<Node>& list) {
    for (const Node& n : list) {
      Flow f = WalkNode(dot, n);
      if (f != Flow::kNormal) return f;
    }
    return Flow::kNormal;
  }

 private:
  [[noreturn]] void Fail(size_t pos, std::string msg) { throw ExecError{pos, std::move(msg)}; }

  void Spend(size_t pos, int64_t steps) {
    budget_->steps += steps;
    if (budget_->steps > budget_->max_steps)
      Fail(pos, "template exceeded " + std::to_string(budget_->max_steps) + " steps");
  }

  [[noreturn]] void FailOutput(size_t pos) {
    Fail(pos, "output larger than " + std::to_string(budget_->max_output_bytes) + " bytes");
  }

  // What the budget still allows (a caller's budget may already be spent).
  size_t OutputLeft() const {
    const Budget& b = *budget_;
    return b.output_bytes >= b.max_output_bytes ? 0 : b.max_output_bytes - b.output_bytes;
  }

  // Appends `text` unless that passes the output limit.
  void Write(size_t pos, std::string_view text) {
    if (text.size() > OutputLeft()) FailOutput(pos);
    out_->append(text);
    budget_->output_bytes += text.size();
  }

  void WriteValue(size_t pos, const Value& v) {
    if (v.IsNull()) return Write(pos, "<no value>");
    if (v.kind() == Value::Kind::kString) return Write(pos, v.AsString());
    // Lists, maps, numbers: printed first (their size is bounded by the
    // steps they cost), then measured; the excess is taken back.
    size_t before = out_->size();
    AppendPrint(out_, v);
    size_t n = out_->size() - before;
    if (n > OutputLeft()) {
      out_->resize(before);
      FailOutput(pos);
    }
    budget_->output_bytes += n;
  }

  Flow WalkNode(const Value& dot, const Node& n) {
    Spend(n.pos, 1);
    switch (n.type) {
      case Node::Type::kText:
        Write(n.pos, n.text);
        return Flow::kNormal;
      case Node::Type::kAction: {
        Value v = EvalPipeline(dot, *n.pipe);
        if (n.pipe->decl.empty()) WriteValue(n.pos, v);
        return Flow::kNormal;
      }
      case Node::Type::kIf:
      case Node::Type::kWith: {
        size_t mark = vars_.size();
        Value v = EvalPipeline(dot, *n.pipe);
        Flow f = Flow::kNormal;
        if (IsTrue(v))
          f = Walk(n.type == Node::Type::kWith ? v : dot, n.list);
        else
          f = Walk(dot, n.else_list);
        vars_.resize(mark);
        return f;
      }
      case Node::Type::kRange:
        return WalkRange(dot, n);
      case Node::Type::kBreak:
        return Flow::kBreak;
      case Node::Type::kContinue:
        return Flow::kContinue;
    }
    return Flow::kNormal;
  }

  Flow WalkRange(const Value& dot, const Node& n) {
    size_t mark = vars_.size();
    const Pipeline& pipe = *n.pipe;
    // The range value is evaluated without the declaration applied.
    Value v = EvalCommands(dot, pipe);
    if (!pipe.assign)
      for (const auto& d : pipe.decl) vars_.emplace_back(d, Value());
    size_t body_mark = vars_.size();
    bool ran = false;
    auto one = [&](const Value& key, const Value& elem) {
      Spend(n.pos, 1);  // `range 1000000000` stops here
      ran = true;
      if (pipe.decl.size() == 1) SetVar(pipe, 0, elem);
      if (pipe.decl.size() == 2) {
        SetVar(pipe, 0, key);
        SetVar(pipe, 1, elem);
      }
      Flow f = Walk(elem, n.list);
      vars_.resize(body_mark);
      return f;
    };
    switch (v.kind()) {
      case Value::Kind::kList: {
        const auto& items = v.AsList().items;
        for (size_t i = 0; i < items.size(); ++i)
          if (one(Value(static_cast<int64_t>(i)), items[i]) == Flow::kBreak) break;
        break;
      }
      case Value::Kind::kMap:
        if (v.AsMap().is_struct) Fail(n.pos, "range can't iterate over " + Print(v));
        for (const auto& [k, e] : v.AsMap().All())
          if (one(Value(k), e) == Flow::kBreak) break;
        break;
      case Value::Kind::kInt:
        if (pipe.decl.size() > 1)
          Fail(n.pos, "can't use " + Print(v) + " to iterate over more than one variable");
        for (int64_t i = 0; i < v.AsInt(); ++i)
          if (one(Value(i), Value(i)) == Flow::kBreak) break;
        break;
      case Value::Kind::kNull:
        break;
      default:
        Fail(n.pos, "range can't iterate over " + Print(v));
    }
    Flow f = Flow::kNormal;
    if (!ran) f = Walk(dot, n.else_list);
    vars_.resize(mark);
    return f == Flow::kBreak || f == Flow::kContinue ? Flow::kNormal : f;
  }

  void SetVar(const Pipeline& pipe, size_t i, const Value& v) { Assign(pipe.pos, pipe.decl[i], v); }

  void Assign(size_t pos, const std::string& name, const Value& v) {
    for (size_t k = vars_.size(); k-- > 0;)
      if (vars_[k].first == name) {
        vars_[k].second = v;
        return;
      }
    Fail(pos, "undefined variable: " + name);
  }

  const Value& Var(size_t pos, const std::string& name) {
    for (size_t k = vars_.size(); k-- > 0;)
      if (vars_[k].first == name) return vars_[k].second;
    Fail(pos, "undefined variable: " + name);
  }

  Value EvalCommands(const Value& dot, const Pipeline& pipe) {
    Value v;
    bool has_final = false;
    for (const Command& c : pipe.cmds) {
      v = EvalCommand(dot, c, has_final ? &v : nullptr);
      has_final = true;
    }
    return v;
  }

  Value EvalPipeline(const Value& dot, const Pipeline& pipe) {
    Value v = EvalCommands(dot, pipe);
    for (const auto& d : pipe.decl) {
      if (pipe.assign)
        Assign(pipe.pos, d, v);
      else
        vars_.emplace_back(d, v);
    }
    return v;
  }

  Value EvalCommand(const Value& dot, const Command& cmd, const Value* final) {
    const Operand& first = cmd.args[0];
    std::span<const Operand> rest(cmd.args.data() + 1, cmd.args.size() - 1);
    switch (first.type) {
      case Operand::Type::kField:
        return EvalChain(dot, dot, first, rest, final);
      case Operand::Type::kVariable: {
        const Value& v = Var(first.pos, first.name);
        if (first.fields.empty()) {
          if (!rest.empty() || final)
            Fail(first.pos, "can't give argument to non-function " + first.name);
          return v;
        }
        return EvalChain(dot, v, first, rest, final);
      }
      case Operand::Type::kPipe: {
        Value v = EvalPipeline(dot, *first.pipe);
        if (first.fields.empty()) {
          if (!rest.empty() || final) Fail(first.pos, "can't give argument to non-function");
          return v;
        }
        return EvalChain(dot, v, first, rest, final);
      }
      case Operand::Type::kFunction:
        return EvalFunction(dot, first, rest, final);
      case Operand::Type::kNil:
        Fail(first.pos, "nil is not a command");
      case Operand::Type::kDot:
      case Operand::Type::kLiteral:
        if (!rest.empty() || final)
          Fail(first.pos, "can't give argument to non-function " +
                              Print(first.type == Operand::Type::kDot ? dot : first.literal));
        return first.type == Operand::Type::kDot ? dot : first.literal;
    }
    return Value();
  }

  Value EvalArg(const Value& dot, const Operand& op) {
    switch (op.type) {
      case Operand::Type::kDot:
        return dot;
      case Operand::Type::kNil:
        return Value();
      case Operand::Type::kLiteral:
        return op.literal;
      case Operand::Type::kField:
        return EvalChain(dot, dot, op, {}, nullptr);
      case Operand::Type::kVariable:
        if (op.fields.empty()) return Var(op.pos, op.name);
        return EvalChain(dot, Var(op.pos, op.name), op, {}, nullptr);
      case Operand::Type::kPipe: {
        Value v = EvalPipeline(dot, *op.pipe);
        if (op.fields.empty()) return v;
        return EvalChain(dot, v, op, {}, nullptr);
      }
      case Operand::Type::kFunction:
        return EvalFunction(dot, op, {}, nullptr);
    }
    return Value();
  }

  Value EvalChain(const Value& dot, Value receiver, const Operand& op,
                  std::span<const Operand> args, const Value* final) {
    for (size_t i = 0; i < op.fields.size(); ++i) {
      bool last = i + 1 == op.fields.size();
      receiver = EvalField(dot, op.pos, op.fields[i], receiver,
                           last ? args : std::span<const Operand>{}, last ? final : nullptr);
    }
    return receiver;
  }

  Value EvalField(const Value& dot, size_t pos, const std::string& name, const Value& receiver,
                  std::span<const Operand> args, const Value* final) {
    bool has_args = !args.empty() || final;
    auto call_args = [&]() {
      std::vector<Value> a;
      if (!args.empty() || final) a.reserve(args.size() + 1);  // none for a plain method
      for (const Operand& o : args) a.push_back(EvalArg(dot, o));
      if (final) a.push_back(*final);
      return a;
    };
    switch (receiver.kind()) {
      case Value::Kind::kNull:
        return Value();  // Go: nil data yields no value
      case Value::Kind::kMap: {
        const MapData& m = receiver.AsMap();
        const Value* found = m.Find(name);
        if (found == nullptr) {
          if (m.is_struct)
            Fail(pos,
                 "can't evaluate field " + name + " in type " + std::string(receiver.TypeName()));
          if (has_args) Fail(pos, name + " is not a method but has arguments");
          return Value();
        }
        if (found->kind() == Value::Kind::kMethod) {
          std::vector<Value> a = call_args();
          auto r = found->AsMethod()(a);
          if (!r) Fail(pos, "error calling " + name + ": " + r.error().message);
          return *r;
        }
        if (has_args) Fail(pos, name + " is not a method but has arguments");
        return *found;
      }
      case Value::Kind::kTime: {
        std::vector<Value> a = call_args();
        auto r = TimeMember(receiver.AsTime(), name, a);
        if (!r) break;
        if (!*r) Fail(pos, r->error());
        return **r;
      }
      default:
        break;
    }
    Fail(pos, "can't evaluate field " + name + " in type " + std::string(receiver.TypeName()));
  }

  Value EvalFunction(const Value& dot, const Operand& fn, std::span<const Operand> args,
                     const Value* final) {
    const Function& f = *fn.function;
    if (f.special != Function::Special::kNone) {
      // and/or: evaluate left to right, stop at the first operand that
      // decides, return that operand.
      bool is_and = f.special == Function::Special::kAnd;
      size_t n = args.size() + (final ? 1 : 0);
      if (n < 1) Fail(fn.pos, "wrong number of args for " + fn.name + ": want at least 1 got 0");
      Value v;
      for (size_t i = 0; i < n; ++i) {
        v = i < args.size() ? EvalArg(dot, args[i]) : *final;
        if (IsTrue(v) != is_and) return v;
      }
      return v;
    }
    std::vector<Value> a;
    a.reserve(args.size() + 1);
    for (const Operand& o : args) a.push_back(EvalArg(dot, o));
    if (final) a.push_back(*final);
    Spend(fn.pos, 1);
    auto r = f.call(a);
    if (!r) Fail(fn.pos, "error calling " + fn.name + ": " + r.error());
    if (r->kind() == Value::Kind::kString && r->AsString().size() > kMaxValueBytes)
      Fail(fn.pos, "error calling " + fn.name + ": " + ValueTooLarge());
    Spend(fn.pos, Weight(*r, budget_->max_steps - budget_->steps));
    return std::move(*r);
  }

  std::string* out_;
  Budget* budget_;
  std::vector<std::pair<std::string, Value>> vars_;
};

}  // namespace

Result<std::string> Template::Execute(const Value& dot) const {
  std::string out;
  auto r = Execute(dot, &out);
  if (!r) return tl::unexpected(r.error());
  return out;
}

Result<void> Template::Execute(const Value& dot, std::string* out) const {
  Budget budget;
  return Execute(dot, out, &budget);
}

Result<void> Template::Execute(const Value& dot, std::string* out, Budget* budget) const {
  if (!root_) return {};
  try {
    Executor(out, dot, budget).Walk(dot, *root_);
  } catch (const ExecError& e) {
    return Fail(ErrorCode::kInvalidConfig,
                "template: " + LineColumn(*text_, e.pos) + ": executing: " + e.message);
  }
  return {};
}

}  // namespace kv::tmpl
