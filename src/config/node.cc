#include "config/node.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <system_error>
#include <tuple>

namespace kv::config {

std::string Problem::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (warning) out += "warning: ";
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  return out;
}

bool Diagnostics::HasErrors() const {
  return std::any_of(problems_.begin(), problems_.end(),
                     [](const Problem& p) { return !p.warning; });
}

bool Diagnostics::FromUnsetEnv(const std::string& key_path) const {
  return std::find(unset_env_paths_.begin(), unset_env_paths_.end(), key_path) !=
         unset_env_paths_.end();
}

void Diagnostics::NoteKnownKeys(const std::string& path,
                                const std::vector<std::string_view>& known) {
  auto& keys = known_keys_[path];
  for (std::string_view k : known) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.emplace_back(k);
  }
}

std::vector<Problem> SortByPosition(std::vector<Problem> problems) {
  std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  return problems;
}

namespace {
std::string Join(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += "\n";
    out += p.ToString();
  }
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1);
  std::vector<size_t> cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

Error::Error(std::vector<Problem> problems)
    : std::runtime_error(Join(SortByPosition(problems))),
      problems_(SortByPosition(std::move(problems))) {}

std::string NearestKey(std::string_view key, const std::vector<std::string_view>& known) {
  std::string best;
  size_t best_d = std::max<size_t>(2, key.size() / 3) + 1;
  for (auto k : known) {
    size_t d = EditDistance(key, k);
    if (d < best_d) {
      best_d = d;
      best = std::string(k);
    }
  }
  return best;
}

std::string Node::Expand(const std::string& raw, std::string_view key) const {
  if (raw.find("${") == std::string::npos) return raw;
  std::string error;
  std::vector<std::string> unset;
  const bool lenient = diag_->unset_env_is_warning();
  std::string out = ExpandEnvironment(raw, &error, lenient ? &unset : nullptr);
  if (!error.empty()) Report(error, key);
  for (const auto& name : unset) {
    Warn("environment variable " + name +
             " is not set here; it must be set at run time (check-config --strict-env makes "
             "this an error)",
         key);
  }
  if (!unset.empty()) diag_->NoteUnsetEnv(ChildPath(key));
  return out;
}

namespace {

// A short reason for errno `err` ("No such file or directory").
std::string Reason(int err) { return std::error_code(err, std::generic_category()).message(); }

// Reads all of `fd` into `out`, at most kMaxSecretFileBytes + 1 bytes (one
// more than allowed, so a file that is too large is seen as such). "" or the
// problem.
std::string ReadAtMost(int fd, const std::string& path, std::string* out) {
  char buf[8192];
  while (out->size() <= kMaxSecretFileBytes) {
    size_t want = std::min(sizeof buf, kMaxSecretFileBytes + 1 - out->size());
    ssize_t n = read(fd, buf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "cannot read secret file " + path + ": " + Reason(errno);
    if (n == 0) return "";
    out->append(buf, static_cast<size_t>(n));
  }
  return "secret file " + path + " is larger than " + std::to_string(kMaxSecretFileBytes) +
         " bytes";
}

}  // namespace

std::string ReadSecretFile(const std::string& path, std::string* content) {
  content->clear();
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
  // The type is checked on the opened descriptor, so the file cannot be
  // swapped for another between the check and the read.
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return "cannot read secret file " + path + ": " + Reason(errno);
  std::string problem;
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    problem = "cannot read secret file " + path + ": " + Reason(errno);
  } else if (!S_ISREG(st.st_mode)) {
    // A device (/dev/zero never ends), a FIFO or a directory: not a secret.
    problem = "secret file " + path + " is not a regular file";
  } else if (static_cast<uint64_t>(st.st_size) > kMaxSecretFileBytes) {
    problem =
        "secret file " + path + " is larger than " + std::to_string(kMaxSecretFileBytes) + " bytes";
  } else {
    // The size may have changed since fstat: the read is capped too.
    problem = ReadAtMost(fd, path, content);
  }
  close(fd);
  if (!problem.empty()) content->clear();
  return problem;
}

std::string ExpandEnvironment(std::string_view in, std::string* error,
                              std::vector<std::string>* unset) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    size_t start = in.find("${", i);
    if (start == std::string_view::npos) {
      out.append(in.substr(i));
      break;
    }
    out.append(in.substr(i, start - i));
    size_t end = in.find('}', start + 2);
    if (end == std::string_view::npos) {  // not a reference: keep it as written
      out.append(in.substr(start));
      break;
    }
    std::string_view ref = in.substr(start + 2, end - start - 2);
    i = end + 1;
    if (ref.rfind("file:", 0) == 0) {
      std::string path(ref.substr(5));
      std::string content;
      if (std::string e = ReadSecretFile(path, &content); !e.empty()) {
        *error = e;
        continue;
      }
      while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
        content.pop_back();
      out += content;
      continue;
    }
    std::string_view name = ref;
    std::optional<std::string_view> fallback;
    if (auto dash = ref.find(":-"); dash != std::string_view::npos) {
      name = ref.substr(0, dash);
      fallback = ref.substr(dash + 2);
    }
    const char* value = std::getenv(std::string(name).c_str());
    if (value != nullptr && (*value != '\0' || !fallback)) {
      out += value;
    } else if (fallback) {
      out += *fallback;
    } else if (unset != nullptr) {
      unset->emplace_back(name);
    } else {
      *error = "environment variable " + std::string(name) + " is not set (write ${" +
               std::string(name) + ":-} for an empty default)";
    }
  }
  return out;
}

std::string Node::ChildPath(std::string_view key) const {
  if (key.empty()) return path_;
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

Problem Node::MakeProblem(std::string message, std::string_view key) const {
  Problem p;
  p.file = file_;
  YAML::Mark mark = node_.Mark();
  if (!key.empty() && node_.IsMap()) {
    // Point at the key itself when we can find it.
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) {
        mark = it->first.Mark();
        break;
      }
    }
  }
  if (mark.line >= 0) {
    p.line = mark.line + 1;
    p.column = mark.column + 1;
  }
  p.key_path = ChildPath(key);
  p.message = std::move(message);
  return p;
}

void Node::Report(std::string message, std::string_view key) const {
  if (diag_->unset_env_is_warning() && diag_->FromUnsetEnv(ChildPath(key))) {
    // The value is the run time's: what it lacks here is no error yet.
    Warn(message + " (the value has a variable not set here)", key);
    return;
  }
  diag_->Add(MakeProblem(std::move(message), key));
}

void Node::Warn(std::string message, std::string_view key) const {
  Problem p = MakeProblem(std::move(message), key);
  p.warning = true;
  diag_->Add(std::move(p));
}

bool Node::Has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)].IsDefined() && !node_[std::string(key)].IsNull();
}

Node Node::Child(std::string_view key) const {
  // Found by iteration: yaml-cpp's operator[] on a missing key yields an
  // invalid "zombie" node that throws on most uses.
  if (node_.IsMap()) {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) {
        return Node(it->second, file_, ChildPath(key), diag_);
      }
    }
  }
  return Node(YAML::Node(), file_, ChildPath(key), diag_);
}

std::string Node::AsString() const {
  if (!node_.IsScalar()) {
    Report("expected a string");
    return {};
  }
  return Expand(node_.Scalar(), {});
}

std::string Node::String(std::string_view key, std::string def) const {
  if (!Has(key)) return def;
  YAML::Node n = node_[std::string(key)];
  if (!n.IsScalar()) {
    Report("expected a string", key);
    return def;
  }
  return Expand(n.Scalar(), key);
}

bool Node::Bool(std::string_view key, bool def) const {
  if (!Has(key)) return def;
  YAML::Node n = node_[std::string(key)];
  std::string s = n.IsScalar() ? Expand(n.Scalar(), key) : "";
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  Report("expected true or false, got '" + s + "'", key);
  return def;
}

int64_t Node::Int(std::string_view key, int64_t def, int64_t min, int64_t max) const {
  if (!Has(key)) return def;
  YAML::Node n = node_[std::string(key)];
  std::string s = n.IsScalar() ? Expand(n.Scalar(), key) : "";
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    Report("expected a whole number, got '" + s + "'", key);
    return def;
  }
  if (v < min || v > max) {
    Report("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + s,
           key);
    return def;
  }
  return v;
}

double Node::Double(std::string_view key, double def, double min, double max) const {
  if (!Has(key)) return def;
  YAML::Node n = node_[std::string(key)];
  std::string s = n.IsScalar() ? Expand(n.Scalar(), key) : "";
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
    Report("expected a number, got '" + s + "'", key);
    return def;
  }
  if (v < min || v > max) {
    Report("must be between " + std::to_string(min) + " and " + std::to_string(max), key);
    return def;
  }
  return v;
}

std::vector<std::string> Node::StringList(std::string_view key) const {
  std::vector<std::string> out;
  if (!Has(key)) return out;
  Node list = Child(key);
  if (!list.IsSequence()) {
    Report("expected a list of strings", key);
    return out;
  }
  for (const Node& item : list.Items()) out.push_back(item.AsString());
  return out;
}

std::vector<std::pair<std::string, std::string>> Node::StringMap(std::string_view key) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!Has(key)) return out;
  Node map = Child(key);
  if (!map.IsMap()) {
    Report("expected a map of strings", key);
    return out;
  }
  for (const auto& [k, v] : map.Entries()) out.emplace_back(k, v.AsString());
  return out;
}

std::vector<Node> Node::Items() const {
  std::vector<Node> out;
  if (!node_.IsSequence()) return out;
  for (size_t i = 0; i < node_.size(); ++i) {
    out.emplace_back(node_[i], file_, path_ + "[" + std::to_string(i) + "]", diag_);
  }
  return out;
}

std::vector<std::pair<std::string, Node>> Node::Entries() const {
  std::vector<std::pair<std::string, Node>> out;
  if (!node_.IsMap()) return out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    out.emplace_back(key, Node(it->second, file_, ChildPath(key), diag_));
  }
  return out;
}

void Node::RejectUnknownKeys(std::initializer_list<std::string_view> known) const {
  RejectUnknownKeys(std::vector<std::string_view>(known));
}

void Node::RejectUnknownKeys(const std::vector<std::string_view>& known) const {
  if (!node_.IsMap()) return;
  diag_->NoteKnownKeys(path_, known);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string msg = "unknown key";
    std::string near = NearestKey(key, known);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    Report(msg, key);
  }
}

Node ParseYaml(const std::string& text, const std::string& file,
               const std::shared_ptr<Diagnostics>& diag) {
  try {
    return Node(YAML::Load(text), file, "", diag);
  } catch (const YAML::Exception& e) {
    Problem p;
    p.file = file;
    p.line = e.mark.line + 1;
    p.column = e.mark.column + 1;
    p.message = "invalid YAML: " + e.msg;
    diag->Add(std::move(p));
    return Node(YAML::Node(), file, "", diag);
  }
}

}  // namespace kv::config
