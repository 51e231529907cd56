// Splits template text into tokens as text/template's lexer does, trim
// markers applied. Internal to src/tmpl.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kv::tmpl {

struct Token {
  enum class Type {
    kText,
    kLeft,
    kRight,
    kSpace,
    kIdent,
    kField,
    kVariable,
    kDot,
    kString,
    kChar,
    kNumber,
    kLParen,
    kRParen,
    kPipe,
    kDeclare,
    kAssign,
    kComma,
    kEof,
    kError
  };
  Type type;
  size_t pos;
  std::string text;  // kString: the decoded value; kError: the message
};

// The whole token list; the last token is kEof or kError.
std::vector<Token> Lex(std::string_view input);

}  // namespace kv::tmpl
