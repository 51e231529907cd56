// Template::Parse: tokens → ast::Node tree, with text/template's checks
// (undefined variables and functions, misplaced else/end/break).
#include <charconv>
#include <cmath>

#include "tmpl/ast.h"
#include "tmpl/lexer.h"
#include "tmpl/template.h"

namespace kv::tmpl {
namespace {

using ast::Command;
using ast::Node;
using ast::Operand;
using ast::Pipeline;
using T = Token::Type;

constexpr int kMaxDepth = 200;  // nesting of blocks and parentheses

struct ParseError {
  size_t pos;
  std::string message;
};

std::string Describe(const Token& t) {
  switch (t.type) {
    case T::kEof:
      return "EOF";
    case T::kRight:
      return "\"}}\"";
    case T::kLeft:
      return "\"{{\"";
    case T::kRParen:
      return "\")\"";
    case T::kLParen:
      return "\"(\"";
    case T::kPipe:
      return "\"|\"";
    case T::kComma:
      return "\",\"";
    case T::kDeclare:
      return "\":=\"";
    case T::kAssign:
      return "\"=\"";
    case T::kField:
      return "<." + t.text + ">";
    case T::kString:
      return "quoted string";
    default:
      return "<" + t.text + ">";
  }
}

// Go's number rules: ints (decimal, 0x, 0o, 0b, leading-0 octal, _), floats,
// and character constants are ints.
bool ParseNumber(const std::string& text, Value* out) {
  std::string s;
  for (char c : text)
    if (c != '_') s.push_back(c);
  bool neg = !s.empty() && s[0] == '-';
  std::string_view body(s);
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
  int base = 10;
  std::string_view digits = body;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X'))
    base = 16;
  else if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O'))
    base = 8;
  else if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B'))
    base = 2;
  if (base != 10)
    digits.remove_prefix(2);
  else if (body.size() > 1 && body[0] == '0' &&
           body.find_first_of(".eE") == std::string_view::npos) {
    base = 8;
    digits.remove_prefix(1);
  }
  uint64_t u = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
  if (r.ec == std::errc() && r.ptr == digits.data() + digits.size() && !digits.empty()) {
    if (u > static_cast<uint64_t>(INT64_MAX) + (neg ? 1 : 0)) return false;
    *out = Value(neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u));
    return true;
  }
  if (base == 16) return false;
  double d = 0;
  std::string_view fs(s);
  if (!fs.empty() && fs[0] == '+') fs.remove_prefix(1);
  auto fr = std::from_chars(fs.data(), fs.data() + fs.size(), d);
  if (fr.ec != std::errc() || fr.ptr != fs.data() + fs.size() || std::isinf(d)) return false;
  *out = Value(d);
  return true;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) { vars_.push_back("$"); }

  std::vector<Node> ParseAll() {
    std::vector<Node> list;
    Token::Type end = ParseList(&list, /*top=*/true);
    (void)end;
    return list;
  }

 private:
  const Token& Peek() const { return toks_[pos_]; }
  const Token& Next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  const Token& NextNonSpace() {
    while (Peek().type == T::kSpace) Next();
    return Next();
  }
  const Token& PeekNonSpace() {
    while (Peek().type == T::kSpace) Next();
    return Peek();
  }
  [[noreturn]] void Fail(size_t pos, std::string msg) { throw ParseError{pos, std::move(msg)}; }
  [[noreturn]] void Unexpected(const Token& t, std::string_view context) {
    if (t.type == T::kError) Fail(t.pos, t.text);
    Fail(t.pos, "unexpected " + Describe(t) + " in " + std::string(context));
  }

  // Parses nodes until {{end}}, {{else}} or EOF; returns which one ended
  // it (kEof, or kIdent with keyword_ set to "end"/"else").
  Token::Type ParseList(std::vector<Node>* list, bool top) {
    while (true) {
      const Token& t = Next();
      if (t.type == T::kEof) {
        if (!top) Fail(t.pos, "unexpected EOF");
        return T::kEof;
      }
      if (t.type == T::kError) Fail(t.pos, t.text);
      if (t.type == T::kText) {
        Node n;
        n.type = Node::Type::kText;
        n.pos = t.pos;
        n.text = t.text;
        list->push_back(std::move(n));
        continue;
      }
      // kLeft: an action.
      size_t left = t.pos;
      const Token& k = PeekNonSpace();
      if (k.type == T::kIdent) {
        const std::string& w = k.text;
        if (w == "end" || w == "else") {
          if (top) Fail(k.pos, "unexpected {{" + w + "}}");
          Next();
          keyword_ = w;
          return T::kIdent;
        }
        if (w == "if" || w == "range" || w == "with") {
          Next();
          list->push_back(ParseControl(w, left));
          continue;
        }
        if (w == "break" || w == "continue") {
          Next();
          if (range_depth_ == 0) Fail(k.pos, "{{" + w + "}} outside {{range}}");
          if (NextNonSpace().type != T::kRight) Fail(k.pos, "unexpected content after " + w);
          Node n;
          n.type = w == "break" ? Node::Type::kBreak : Node::Type::kContinue;
          n.pos = k.pos;
          list->push_back(std::move(n));
          continue;
        }
        if (w == "define" || w == "template" || w == "block")
          Fail(k.pos, "{{" + w + "}} is not supported");
      }
      Node n;
      n.type = Node::Type::kAction;
      n.pos = left;
      n.pipe = ParsePipeline("command", T::kRight, false);
      list->push_back(std::move(n));
    }
  }

  Node ParseControl(const std::string& kind, size_t pos) {
    if (++depth_ > kMaxDepth) Fail(pos, "nesting too deep");
    Node n;
    n.type = kind == "if"      ? Node::Type::kIf
             : kind == "range" ? Node::Type::kRange
                               : Node::Type::kWith;
    n.pos = pos;
    size_t mark = vars_.size();
    n.pipe = ParsePipeline(kind, T::kRight, kind == "range");
    size_t body_mark = vars_.size();
    if (kind == "range") ++range_depth_;
    Token::Type end = ParseList(&n.list, false);
    if (kind == "range") --range_depth_;
    if (end == T::kIdent && keyword_ == "else") {
      // {{else if ...}} / {{else with ...}} chain into a nested node.
      const Token& k = PeekNonSpace();
      if (k.type == T::kIdent && (k.text == "if" || k.text == "with") && kind != "range") {
        if (k.text != kind) Fail(k.pos, "unexpected <" + k.text + "> after else");
        Next();
        vars_.resize(body_mark);
        n.else_list.push_back(ParseControl(k.text, k.pos));
        vars_.resize(mark);
        --depth_;
        return n;
      }
      if (NextNonSpace().type != T::kRight) Fail(k.pos, "unexpected content after else");
      vars_.resize(body_mark);
      end = ParseList(&n.else_list, false);
      if (keyword_ != "end") Fail(pos, "expected end; found {{else}}");
    }
    if (NextNonSpace().type != T::kRight) Fail(pos, "unexpected content after end");
    vars_.resize(mark);
    --depth_;
    return n;
  }

  std::unique_ptr<Pipeline> ParsePipeline(const std::string& context, Token::Type end,
                                          bool allow_two_vars) {
    auto pipe = std::make_unique<Pipeline>();
    pipe->pos = Peek().pos;
    // Declarations: $x := / $x = / $i, $v :=
    size_t save = pos_;
    const Token& v = PeekNonSpace();
    if (v.type == T::kVariable) {
      std::string first = v.text;
      Next();
      const Token& op = PeekNonSpace();
      if (op.type == T::kDeclare || op.type == T::kAssign) {
        Next();
        pipe->assign = op.type == T::kAssign;
        pipe->decl.push_back(first);
      } else if (op.type == T::kComma && allow_two_vars) {
        Next();
        const Token& v2 = NextNonSpace();
        if (v2.type != T::kVariable) Fail(v2.pos, "range can only initialize variables");
        const Token& op2 = NextNonSpace();
        if (op2.type != T::kDeclare && op2.type != T::kAssign)
          Fail(op2.pos, "expected := or = in range declaration");
        pipe->assign = op2.type == T::kAssign;
        pipe->decl = {first, v2.text};
      } else {
        pos_ = save;
      }
    }
    for (const auto& d : pipe->decl) {
      if (pipe->assign) {
        if (!Defined(d)) Fail(pipe->pos, "undefined variable \"" + d + "\"");
      } else {
        vars_.push_back(d);
      }
    }
    while (true) {
      const Token& t = PeekNonSpace();
      if (t.type == end) {
        Next();
        break;
      }
      if (t.type == T::kPipe) {
        if (pipe->cmds.empty()) Fail(t.pos, "missing command before |");
        Next();
        continue;
      }
      if (!pipe->cmds.empty() && Prev().type != T::kPipe) Unexpected(t, context);
      pipe->cmds.push_back(ParseCommand(context, end));
    }
    if (pipe->cmds.empty()) Fail(pipe->pos, "missing value for " + context);
    return pipe;
  }

  const Token& Prev() const {
    size_t p = pos_;
    while (p > 0 && toks_[p - 1].type == T::kSpace) --p;
    return toks_[p > 0 ? p - 1 : 0];
  }

  bool Defined(const std::string& name) const {
    for (const auto& v : vars_)
      if (v == name) return true;
    return false;
  }

  Command ParseCommand(const std::string& context, Token::Type end) {
    Command cmd;
    cmd.pos = PeekNonSpace().pos;
    while (true) {
      const Token& t = PeekNonSpace();
      if (t.type == end || t.type == T::kPipe) break;
      if (t.type == T::kError) Fail(t.pos, t.text);
      if (!cmd.args.empty() && toks_[pos_ - 1].type != T::kSpace) Unexpected(t, "operand");
      cmd.args.push_back(ParseOperand(context));
    }
    if (cmd.args.empty()) Fail(cmd.pos, "empty command");
    return cmd;
  }

  Operand ParseOperand(const std::string& context) {
    const Token& t = Next();
    Operand op;
    op.pos = t.pos;
    switch (t.type) {
      case T::kDot:
        op.type = Operand::Type::kDot;
        break;
      case T::kField:
        op.type = Operand::Type::kField;
        op.fields.push_back(t.text);
        break;
      case T::kVariable:
        if (!Defined(t.text)) Fail(t.pos, "undefined variable \"" + t.text + "\"");
        op.type = Operand::Type::kVariable;
        op.name = t.text;
        break;
      case T::kString:
        op.literal = Value(t.text);
        break;
      case T::kChar: {
        // The rune's code point.
        auto u = static_cast<unsigned char>(t.text[0]);
        int64_t cp = u < 0x80 ? u : u < 0xE0 ? u & 0x1F : u < 0xF0 ? u & 0x0F : u & 0x07;
        for (size_t i = 1; i < t.text.size(); ++i) cp = (cp << 6) | (t.text[i] & 0x3F);
        op.literal = Value(cp);
        break;
      }
      case T::kNumber:
        if (!ParseNumber(t.text, &op.literal)) Fail(t.pos, "bad number syntax: \"" + t.text + "\"");
        break;
      case T::kIdent:
        if (t.text == "true" || t.text == "false")
          op.literal = Value(t.text == "true");
        else if (t.text == "nil")
          op.type = Operand::Type::kNil;
        else {
          op.function = LookupFunction(t.text);
          if (!op.function) Fail(t.pos, "function \"" + t.text + "\" not defined");
          op.type = Operand::Type::kFunction;
          op.name = t.text;
        }
        break;
      case T::kLParen:
        if (++depth_ > kMaxDepth) Fail(t.pos, "nesting too deep");
        op.type = Operand::Type::kPipe;
        op.pipe = ParsePipeline("parenthesized pipeline", T::kRParen, false);
        --depth_;
        break;
      default:
        Unexpected(t, context == "command" ? "operand" : context);
    }
    // A field chain right after it: .A.B
    while (Peek().type == T::kField) {
      const Token& f = Next();
      if (op.type == Operand::Type::kLiteral || op.type == Operand::Type::kNil ||
          op.type == Operand::Type::kFunction)
        Fail(f.pos, "unexpected . after term");
      if (op.type == Operand::Type::kDot) {
        op.type = Operand::Type::kField;
      }
      op.fields.push_back(f.text);
    }
    return op;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::vector<std::string> vars_;
  std::string keyword_;
  int depth_ = 0;
  int range_depth_ = 0;
};

}  // namespace

std::string LineColumn(std::string_view text, size_t pos) {
  pos = std::min(pos, text.size());
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

Result<Template> Template::Parse(std::string_view text) {
  Template t;
  t.text_ = std::make_shared<const std::string>(text);
  try {
    Parser p(Lex(text));
    t.root_ = std::make_shared<const std::vector<Node>>(p.ParseAll());
  } catch (const ParseError& e) {
    return Fail(ErrorCode::kInvalidConfig,
                "template: " + LineColumn(text, e.pos) + ": " + e.message);
  }
  return t;
}

}  // namespace kv::tmpl
