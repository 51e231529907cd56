#include "tmpl/lexer.h"

namespace kv::tmpl {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(char c) {
  auto u = static_cast<unsigned char>(c);
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         u >= 0x80;
}

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  std::vector<Token> Run() {
    while (!done_) LexText();
    return std::move(out_);
  }

 private:
  void Emit(Token::Type t, size_t pos, std::string text) {
    out_.push_back({t, pos, std::move(text)});
  }
  void Fail(size_t pos, std::string msg) {
    Emit(Token::Type::kError, pos, std::move(msg));
    done_ = true;
  }

  void LexText() {
    size_t start = pos_;
    size_t open = in_.find("{{", pos_);
    if (open == std::string_view::npos) {
      EmitText(start, in_.substr(start));
      Emit(Token::Type::kEof, in_.size(), "");
      done_ = true;
      return;
    }
    std::string_view text = in_.substr(start, open - start);
    pos_ = open + 2;
    bool trim_left = pos_ + 1 < in_.size() && in_[pos_] == '-' && IsSpace(in_[pos_ + 1]);
    if (trim_left) {
      while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
      pos_ += 2;
    }
    EmitText(start, text);
    if (in_.substr(pos_).starts_with("/*")) return LexComment(open);
    Emit(Token::Type::kLeft, open, "");
    LexInside();
  }

  void EmitText(size_t pos, std::string_view text) {
    if (trim_next_) {
      size_t n = 0;
      while (n < text.size() && IsSpace(text[n])) ++n;
      pos += n;
      text.remove_prefix(n);
      trim_next_ = false;
    }
    if (!text.empty()) Emit(Token::Type::kText, pos, std::string(text));
  }

  // True (and consumes it) if a right delimiter, with its trim marker, is at pos_.
  bool AtRight() {
    if (in_.substr(pos_).starts_with(" -}}") || in_.substr(pos_).starts_with("\t-}}") ||
        in_.substr(pos_).starts_with("\r-}}") || in_.substr(pos_).starts_with("\n-}}")) {
      trim_next_ = true;
      pos_ += 4;
      return true;
    }
    if (in_.substr(pos_).starts_with("}}")) {
      pos_ += 2;
      return true;
    }
    return false;
  }

  void LexComment(size_t open) {
    size_t end = in_.find("*/", pos_ + 2);
    if (end == std::string_view::npos) return Fail(open, "unclosed comment");
    pos_ = end + 2;
    if (!AtRight()) return Fail(open, "comment ends before closing delimiter");
  }

  void LexInside() {
    int parens = 0;
    while (true) {
      size_t start = pos_;
      if (AtRight()) {
        if (parens > 0) return Fail(start, "unclosed left paren");
        Emit(Token::Type::kRight, start, "");
        return;
      }
      if (pos_ >= in_.size()) return Fail(start, "unclosed action");
      char c = in_[pos_];
      if (IsSpace(c)) {
        // A space followed by "-}}" belongs to the right delimiter.
        while (pos_ < in_.size() && IsSpace(in_[pos_]) && !in_.substr(pos_ + 1).starts_with("-}}"))
          ++pos_;
        if (pos_ > start) Emit(Token::Type::kSpace, start, "");
      } else if (c == '=') {
        ++pos_;
        Emit(Token::Type::kAssign, start, "");
      } else if (c == ':') {
        if (pos_ + 1 >= in_.size() || in_[pos_ + 1] != '=') return Fail(start, "expected :=");
        pos_ += 2;
        Emit(Token::Type::kDeclare, start, "");
      } else if (c == '|') {
        ++pos_;
        Emit(Token::Type::kPipe, start, "");
      } else if (c == ',') {
        ++pos_;
        Emit(Token::Type::kComma, start, "");
      } else if (c == '(') {
        ++pos_;
        ++parens;
        Emit(Token::Type::kLParen, start, "");
      } else if (c == ')') {
        ++pos_;
        if (--parens < 0) return Fail(start, "unexpected right paren");
        Emit(Token::Type::kRParen, start, "");
      } else if (c == '"') {
        if (!LexQuote(start)) return;
      } else if (c == '`') {
        size_t end = in_.find('`', pos_ + 1);
        if (end == std::string_view::npos) return Fail(start, "unterminated raw quoted string");
        Emit(Token::Type::kString, start, std::string(in_.substr(pos_ + 1, end - pos_ - 1)));
        pos_ = end + 1;
      } else if (c == '\'') {
        if (!LexChar(start)) return;
      } else if (c == '$') {
        ++pos_;
        while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
        Emit(Token::Type::kVariable, start, std::string(in_.substr(start, pos_ - start)));
      } else if (c == '.') {
        if (pos_ + 1 < in_.size() && in_[pos_ + 1] >= '0' && in_[pos_ + 1] <= '9') {
          if (!LexNumber(start)) return;
        } else {
          ++pos_;
          while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
          if (pos_ == start + 1)
            Emit(Token::Type::kDot, start, ".");
          else
            Emit(Token::Type::kField, start, std::string(in_.substr(start + 1, pos_ - start - 1)));
        }
      } else if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        if (!LexNumber(start)) return;
      } else if (IsAlnum(c)) {
        while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
        Emit(Token::Type::kIdent, start, std::string(in_.substr(start, pos_ - start)));
      } else {
        return Fail(start, std::string("unrecognized character in action: '") + c + "'");
      }
    }
  }

  bool LexNumber(size_t start) {
    if (in_[pos_] == '+' || in_[pos_] == '-') ++pos_;
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      bool exp_sign = (c == '+' || c == '-') && pos_ > start &&
                      (in_[pos_ - 1] == 'e' || in_[pos_ - 1] == 'E' || in_[pos_ - 1] == 'p' ||
                       in_[pos_ - 1] == 'P') &&
                      !in_.substr(start).starts_with("0x") && !in_.substr(start).starts_with("0X");
      if (IsAlnum(c) || c == '.' || exp_sign) {
        ++pos_;
        continue;
      }
      break;
    }
    if (pos_ == start + 1 && (in_[start] == '+' || in_[start] == '-')) {
      Fail(start, "bad number syntax: \"" + std::string(in_.substr(start, 1)) + "\"");
      return false;
    }
    Emit(Token::Type::kNumber, start, std::string(in_.substr(start, pos_ - start)));
    return true;
  }

  bool LexEscape(std::string* out) {
    if (pos_ >= in_.size()) return false;
    char e = in_[pos_++];
    auto hex = [&](int n) -> long {
      if (pos_ + n > in_.size()) return -1;
      long v = 0;
      for (int i = 0; i < n; ++i) {
        char h = in_[pos_ + i];
        int d = (h >= '0' && h <= '9')   ? h - '0'
                : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                         : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
      }
      pos_ += n;
      return v;
    };
    switch (e) {
      case 'n':
        out->push_back('\n');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 'a':
        out->push_back('\a');
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'v':
        out->push_back('\v');
        return true;
      case '\\':
      case '"':
      case '\'':
        out->push_back(e);
        return true;
      case 'x': {
        long v = hex(2);
        if (v < 0) return false;
        out->push_back(static_cast<char>(v));
        return true;
      }
      case 'u':
      case 'U': {
        long v = hex(e == 'u' ? 4 : 8);
        if (v < 0 || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return false;
        AppendRune(out, static_cast<uint32_t>(v));
        return true;
      }
      default:
        return false;
    }
  }

  static void AppendRune(std::string* s, uint32_t c) {
    if (c < 0x80) {
      s->push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      s->push_back(static_cast<char>(0xC0 | (c >> 6)));
      s->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      s->push_back(static_cast<char>(0xE0 | (c >> 12)));
      s->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      s->push_back(static_cast<char>(0xF0 | (c >> 18)));
      s->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }

  bool LexQuote(size_t start) {
    ++pos_;
    std::string value;
    while (true) {
      if (pos_ >= in_.size() || in_[pos_] == '\n') {
        Fail(start, "unterminated quoted string");
        return false;
      }
      char c = in_[pos_++];
      if (c == '"') break;
      if (c == '\\') {
        if (!LexEscape(&value)) {
          Fail(start, "invalid syntax");
          return false;
        }
        continue;
      }
      value.push_back(c);
    }
    Emit(Token::Type::kString, start, std::move(value));
    return true;
  }

  bool LexChar(size_t start) {
    ++pos_;
    std::string value;
    if (pos_ < in_.size() && in_[pos_] == '\\') {
      ++pos_;
      if (!LexEscape(&value)) {
        Fail(start, "invalid syntax");
        return false;
      }
    } else {
      while (pos_ < in_.size() && in_[pos_] != '\'' && in_[pos_] != '\n')
        value.push_back(in_[pos_++]);
    }
    if (pos_ >= in_.size() || in_[pos_] != '\'' || value.empty()) {
      Fail(start, "unterminated character constant");
      return false;
    }
    ++pos_;
    Emit(Token::Type::kChar, start, std::move(value));
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool trim_next_ = false;
  bool done_ = false;
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> Lex(std::string_view input) { return Lexer(input).Run(); }

}  // namespace kv::tmpl
