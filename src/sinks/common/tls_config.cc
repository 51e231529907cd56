#include "sinks/common/tls_config.h"

namespace kv::sinks::common {

http::TlsOptions ParseTls(const config::Node& body) {
  http::TlsOptions tls;
  if (!body.Has("tls")) return tls;
  config::Node node = body.Child("tls");
  if (!node.Defined()) return tls;
  if (!node.IsMap()) {
    body.Report("expected a map", "tls");
    return tls;
  }
  node.RejectUnknownKeys({"insecureSkipVerify", "serverName", "caFile", "certFile", "keyFile"});
  tls.insecure_skip_verify = node.Bool("insecureSkipVerify", tls.insecure_skip_verify);
  tls.ca_file = node.String("caFile");
  tls.client_cert_file = node.String("certFile");
  tls.client_key_file = node.String("keyFile");
  // The reference's wording for a half-configured client certificate.
  if (!tls.client_key_file.empty() && tls.client_cert_file.empty()) {
    node.Report("configured keyFile but forgot certFile for client certificate authentication",
                "keyFile");
  }
  if (tls.client_key_file.empty() && !tls.client_cert_file.empty()) {
    node.Report("configured certFile but forgot keyFile for client certificate authentication",
                "certFile");
  }
  tls.server_name = node.String("serverName");
  return tls;
}

}  // namespace kv::sinks::common
