// credential_process: a program that prints credentials as JSON
// (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html).
#include <simdjson.h>

#include <memory>
#include <utility>

#include "aws/providers.h"
#include "aws/refreshing.h"
#include "util/process.h"
#include "util/time.h"

namespace kv::aws {

namespace {

constexpr std::chrono::milliseconds kProcessTimeout{60000};

// Splits like a POSIX shell's word splitting: whitespace separates words,
// '…' and "…" group, a backslash escapes the next character (outside '…').
std::vector<std::string> SplitCommand(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\\' && i + 1 < command.size() &&
               (quote == 0 || command[i + 1] == '"' || command[i + 1] == '\\')) {
      word += command[++i];
      in_word = true;
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<Credentials> ParseOutput(std::string_view out) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(out);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) {
    return Fail(ErrorCode::kCorrupt, "credential_process: output is not a JSON object");
  }
  Credentials creds;
  creds.source = "credential-process";
  int64_t version = 0;
  std::string expiration;
  for (auto field : object) {
    std::string_view key, value;
    if (field.unescaped_key().get(key)) continue;
    if (key == "Version") {
      if (field.value().get_int64().get(version)) version = -1;
      continue;
    }
    if (field.value().get_string().get(value)) continue;
    if (key == "AccessKeyId") creds.access_key_id = std::string(value);
    if (key == "SecretAccessKey") creds.secret_access_key = std::string(value);
    if (key == "SessionToken") creds.session_token = std::string(value);
    if (key == "Expiration") expiration = std::string(value);
  }
  if (version != 1) return Fail(ErrorCode::kCorrupt, "credential_process: Version must be 1");
  if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
    return Fail(ErrorCode::kCorrupt,
                "credential_process: output lacks AccessKeyId or SecretAccessKey");
  }
  if (!expiration.empty()) {
    std::optional<int64_t> micros = timeutil::ParseRfc3339Micros(expiration);
    if (!micros)
      return Fail(ErrorCode::kCorrupt, "credential_process: bad Expiration " + expiration);
    creds.expiration = timeutil::FromMicros(*micros);
  }
  return creds;
}

}  // namespace

std::shared_ptr<CredentialProvider> ProcessProvider(std::string command, Clock& clock) {
  auto fetch = [command = std::move(command)]() -> Result<Credentials> {
    std::vector<std::string> argv = SplitCommand(command);
    if (argv.empty()) return Fail(ErrorCode::kInvalidConfig, "credential_process is empty");
    Result<process::Output> out = process::Run(argv, {}, kProcessTimeout);
    if (!out) {
      return Fail(ErrorCode::kUnavailable,
                  "credential_process " + argv[0] + ": " + out.error().message);
    }
    if (out->exit_code != 0) {
      // Only the start of stderr, which is for humans; stdout may hold keys.
      std::string err = out->err.substr(0, 200);
      return Fail(ErrorCode::kUnavailable, "credential_process " + argv[0] + " exited with " +
                                               std::to_string(out->exit_code) + ": " + err);
    }
    return ParseOutput(out->out);
  };
  return std::make_shared<RefreshingProvider>(std::move(fetch), clock);
}

}  // namespace kv::aws
