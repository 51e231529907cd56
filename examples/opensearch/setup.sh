#!/usr/bin/env bash
# Prepares an OpenSearch cluster for kubevents: the index template for
# kube-events* (index-template.json beside this script), the index
# `kube-events` and the alias `kubernetes-events` kubevents writes to.
# Safe to rerun (the template is replaced; an existing index is kept).
#
#   OPENSEARCH_URL=https://search.example:443 [OPENSEARCH_USER=admin OPENSEARCH_PASSWORD=...] \
#     [OPENSEARCH_CACERT=/path/ca.pem] examples/opensearch/setup.sh
#
# For a domain with IAM only (no fine-grained master user), run the same
# three requests with a SigV4-signing client such as `awscurl --service es`.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
: "${OPENSEARCH_URL:?set OPENSEARCH_URL}"
args=(-sS --fail-with-body -H 'Content-Type: application/json')
[ -n "${OPENSEARCH_USER:-}" ] && args+=(-u "$OPENSEARCH_USER:${OPENSEARCH_PASSWORD:-}")
[ -n "${OPENSEARCH_CACERT:-}" ] && args+=(--cacert "$OPENSEARCH_CACERT")

curl "${args[@]}" -X PUT "$OPENSEARCH_URL/_index_template/kube-events" \
  --data-binary "@$HERE/index-template.json"
echo
if curl "${args[@]}" -o /dev/null -I "$OPENSEARCH_URL/kube-events" 2>/dev/null; then
  echo "index kube-events exists; kept"
else
  curl "${args[@]}" -X PUT "$OPENSEARCH_URL/kube-events" \
    --data '{"aliases":{"kubernetes-events":{"is_write_index":true}}}'
  echo
fi
curl "${args[@]}" "$OPENSEARCH_URL/_alias/kubernetes-events"
echo
