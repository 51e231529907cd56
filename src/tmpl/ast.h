// The parsed form of a template (internal to src/tmpl): text/template's
// node tree, with functions resolved to their implementation at parse time
// and literals pre-built as Values.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tmpl/functions.h"
#include "tmpl/value.h"

namespace kv::tmpl::ast {

struct Pipeline;

struct Operand {
  enum class Type { kDot, kNil, kLiteral, kField, kVariable, kFunction, kPipe };
  Type type = Type::kLiteral;
  size_t pos = 0;
  Value literal;                       // kLiteral
  std::string name;                    // kVariable ("$x"), kFunction
  const Function* function = nullptr;  // kFunction
  std::unique_ptr<Pipeline> pipe;      // kPipe
  std::vector<std::string> fields;     // the chain after it (kField: after the dot)
};

struct Command {
  size_t pos = 0;
  std::vector<Operand> args;
};

struct Pipeline {
  size_t pos = 0;
  bool assign = false;  // `=` rather than `:=`
  std::vector<std::string> decl;
  std::vector<Command> cmds;
};

struct Node {
  enum class Type { kText, kAction, kIf, kRange, kWith, kBreak, kContinue };
  Type type = Type::kText;
  size_t pos = 0;
  std::string text;                // kText
  std::unique_ptr<Pipeline> pipe;  // kAction, kIf, kRange, kWith
  std::vector<Node> list;
  std::vector<Node> else_list;
};

}  // namespace kv::tmpl::ast
