// config::Node: the YAML reader every Parse() uses. It wraps a yaml-cpp node
// with the file it came from and its key path, so every problem is reported
// as "FILE:LINE:COLUMN: KEY.PATH: what is wrong". Problems are collected, not
// thrown, so `check-config` can list them all; getters return the default
// after reporting. Scalar reads expand ${ENV} references (ExpandEnvironment).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kv::config {

struct Problem {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  std::string key_path;
  std::string message;
  bool warning = false;
  std::string ToString() const;
};

// Collects problems for one load. Shared by every Node of that load.
class Diagnostics {
 public:
  void Add(Problem p) { problems_.push_back(std::move(p)); }
  bool HasErrors() const;
  const std::vector<Problem>& problems() const { return problems_; }

  // The keys a map accepts, as each RejectUnknownKeys call listed them,
  // keyed by the map's key path: the keys a Parse() reads, so a test can
  // check each is documented.
  void NoteKnownKeys(const std::string& path, const std::vector<std::string_view>& known);
  const std::map<std::string, std::vector<std::string>>& known_keys() const { return known_keys_; }

  // `check-config` without --strict-env: a ${NAME} whose variable is not
  // set in the checking shell is a warning (it is set at run time), and so
  // is a problem with a value it left empty. `run` keeps them errors.
  void set_unset_env_is_warning(bool on) { unset_env_is_warning_ = on; }
  bool unset_env_is_warning() const { return unset_env_is_warning_; }
  // The key paths whose value had an unset variable (only while the above
  // is on).
  void NoteUnsetEnv(const std::string& key_path) { unset_env_paths_.push_back(key_path); }
  bool FromUnsetEnv(const std::string& key_path) const;

 private:
  std::vector<Problem> problems_;
  std::map<std::string, std::vector<std::string>> known_keys_;
  bool unset_env_is_warning_ = false;
  std::vector<std::string> unset_env_paths_;
};

// Orders problems by file, line and column (the order a person reads in).
std::vector<Problem> SortByPosition(std::vector<Problem> problems);

// Thrown once, at the end of a load that found errors: the only exception
// in kubevents, caught in app/.
class Error : public std::runtime_error {
 public:
  explicit Error(std::vector<Problem> problems);
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::vector<Problem> problems_;
};

class Node {
 public:
  Node(YAML::Node node, std::string file, std::string path, std::shared_ptr<Diagnostics> diag)
      : node_(std::move(node)),
        file_(std::move(file)),
        path_(std::move(path)),
        diag_(std::move(diag)) {}

  bool Defined() const { return node_.IsDefined() && !node_.IsNull(); }
  bool IsMap() const { return node_.IsMap(); }
  bool IsSequence() const { return node_.IsSequence(); }
  bool IsScalar() const { return node_.IsScalar(); }
  bool Has(std::string_view key) const;
  Node Child(std::string_view key) const;

  // Typed reads of a child key; the default when absent, a problem (and
  // the default) when present with the wrong type or out of range.
  std::string String(std::string_view key, std::string def = {}) const;
  bool Bool(std::string_view key, bool def = false) const;
  int64_t Int(std::string_view key, int64_t def, int64_t min, int64_t max) const;
  double Double(std::string_view key, double def, double min, double max) const;
  std::vector<std::string> StringList(std::string_view key) const;
  std::vector<std::pair<std::string, std::string>> StringMap(std::string_view key) const;

  // This node as a scalar string (problem if it is not one).
  std::string AsString() const;
  std::vector<Node> Items() const;                            // a sequence's items
  std::vector<std::pair<std::string, Node>> Entries() const;  // a map's entries

  // Reports every key not in `known`, with the closest known key.
  void RejectUnknownKeys(std::initializer_list<std::string_view> known) const;
  void RejectUnknownKeys(const std::vector<std::string_view>& known) const;

  // Records a problem located at this node (or its child `key`).
  void Report(std::string message, std::string_view key = {}) const;
  void Warn(std::string message, std::string_view key = {}) const;

  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  int line() const { return node_.Mark().line + 1; }
  const YAML::Node& yaml() const { return node_; }
  const std::shared_ptr<Diagnostics>& diagnostics() const { return diag_; }

 private:
  std::string ChildPath(std::string_view key) const;
  // Expands ${...} references in a scalar read from child `key`.
  std::string Expand(const std::string& raw, std::string_view key) const;
  Problem MakeProblem(std::string message, std::string_view key) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::shared_ptr<Diagnostics> diag_;
};

// Parses YAML text; a syntax error becomes a Problem with line and column
// and an undefined root.
Node ParseYaml(const std::string& text, const std::string& file,
               const std::shared_ptr<Diagnostics>& diag);

// Expands references in a config value: ${NAME} (an error if NAME is not
// set), ${NAME:-default} (default when unset or empty) and ${file:/path}
// (the file's content without its trailing newline: for secrets mounted as
// files; read with ReadSecretFile). A bare $NAME is left alone so templates
// keep their variables. `error` receives the last problem, if any. With
// `unset` given, the names of unset variables go there instead of into
// `error` (and expand to "").
std::string ExpandEnvironment(std::string_view in, std::string* error,
                              std::vector<std::string>* unset = nullptr);

// The largest file a ${file:...} reference may name. Secrets are small; the
// cap keeps a wrong path (a log, a disk image) from filling memory.
inline constexpr size_t kMaxSecretFileBytes = size_t{1} << 20;  // 1 MiB

// Reads a secret file into `content`: "" on success, otherwise the problem
// ("secret file PATH is not a regular file", "... is larger than N bytes",
// "cannot read secret file PATH: reason") and `content` empty. Only regular
// files are read, so /dev/zero, a FIFO without a writer or a directory is
// refused at once instead of hanging or eating memory.
std::string ReadSecretFile(const std::string& path, std::string* content);

// The known key nearest to `key` by edit distance, or "" if none is close.
std::string NearestKey(std::string_view key, const std::vector<std::string_view>& known);

}  // namespace kv::config
