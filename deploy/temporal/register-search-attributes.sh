#!/usr/bin/env bash
# One-shot: registers the custom search attributes Refinery's workflows upsert. A workflow that upserts an
# unregistered attribute fails its workflow task, so workers start only after this has exited 0.
# Safe to re-run: creating an attribute that exists with the same type is a no-op.
set -euo pipefail

address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
attempts="${REGISTER_ATTEMPTS:-60}"
names=(RefineryStatus RefineryRolloutStep RefinerySkill)
types=(Keyword Int Keyword)

args=()
for i in "${!names[@]}"; do
  args+=(--name "${names[$i]}" --type "${types[$i]}")
done

registered() {
  local listing
  listing=$(temporal operator search-attribute list --address "$address" --namespace "$namespace") || return 1
  for name in "${names[@]}"; do
    grep -qw "$name" <<<"$listing" || return 1
  done
}

for attempt in $(seq 1 "$attempts"); do
  if out=$(temporal operator search-attribute create --address "$address" --namespace "$namespace" "${args[@]}" 2>&1); then
    if registered; then
      echo "register-search-attributes: ${names[*]} registered in namespace $namespace"
      exit 0
    fi
    out='created, not listed yet'
  elif grep -q 'different type' <<<"$out"; then
    # A type clash needs a person (remove or rename the attribute); retrying cannot fix it.
    echo "register-search-attributes: $out" >&2
    exit 1
  fi
  echo "register-search-attributes: attempt $attempt/$attempts: $out" >&2
  sleep 2
done
echo "register-search-attributes: gave up after $attempts attempts" >&2
exit 1
