#!/bin/sh
# Velero CRD bootstrap of cnai-model-platform (run by the VeleroKopiaBackup CRD Job).
#
# Renders the CustomResourceDefinitions with Velero's own binary, copied out of the pinned velero
# image (`velero install --crds-only --dry-run -o yaml`, as the official chart's upgrade-CRDs Job
# does), applies them server-side and waits until each one is Established. Safe to run any number
# of times: applying unchanged CRDs changes nothing, and a newer velero binary upgrades them.
#
# Environment:
#   VELERO_BIN                        the velero binary (default /tools/velero)
#   VELERO_CRD_NAMES                  space-separated CRD names this Job may change (its RBAC names them)
#   CRD_ESTABLISHED_TIMEOUT_SECONDS   how long to wait for each CRD to be Established (default 120)
#   CRD_POLL_SECONDS                  pause between two checks (default 2)
#   CRD_WORK_DIR                      where the rendered manifests are written (default $TMPDIR or /tmp)
#   CRD_FIELD_MANAGER                 server-side apply field manager (default velero-crd-install)
#
# Needs: kubectl, coreutils (mktemp, date, sleep, sed, wc). Runs under any POSIX sh.
set -eu
set -f

log() { printf 'velero-crds: %s\n' "$*"; }
die() {
  printf 'velero-crds: ERROR: %s\n' "$*" >&2
  exit 1
}

velero=${VELERO_BIN:-/tools/velero}
allowed=${VELERO_CRD_NAMES:-}
timeout=${CRD_ESTABLISHED_TIMEOUT_SECONDS:-120}
poll=${CRD_POLL_SECONDS:-2}
manager=${CRD_FIELD_MANAGER:-velero-crd-install}
work_root=${CRD_WORK_DIR:-${TMPDIR:-/tmp}}

[ -x "$velero" ] || die "velero binary $velero not found or not executable (the copy-velero init container copies it there)"
command -v kubectl >/dev/null 2>&1 || die "kubectl not found on PATH ($PATH)"
[ -n "$allowed" ] || die "VELERO_CRD_NAMES is empty"
case $timeout in '' | *[!0-9]*) die "CRD_ESTABLISHED_TIMEOUT_SECONDS must be a whole number of seconds" ;; esac

work=$(mktemp -d "$work_root/velero-crds.XXXXXX") || die "cannot create a work directory in $work_root"
trap 'rm -rf "$work"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Render. Written to a file first so that a failing velero fails the Job (a pipe would hide it).
if ! "$velero" install --crds-only --dry-run -o yaml >"$work/crds.yaml" 2>"$work/velero.err"; then
  cat "$work/velero.err" >&2
  die "velero install --crds-only --dry-run failed"
fi
[ -s "$work/crds.yaml" ] || die "velero install --crds-only --dry-run rendered nothing"

# 2. Apply server-side: no last-applied annotation (Velero's CRDs are large) and, with
# --force-conflicts, this Job owns the fields even where a Helm or CLI install set them before.
if ! kubectl apply --server-side --force-conflicts --field-manager="$manager" -f "$work/crds.yaml" -o name \
  >"$work/applied" 2>"$work/apply.err"; then
  cat "$work/apply.err" >&2
  die "applying the CRDs failed (a Forbidden error for a CRD means this velero version emits one the Job's ClusterRole does not name: update the library)"
fi
names=$(sed -n 's|^customresourcedefinition[^/]*/||p' "$work/applied")
[ -n "$names" ] || die "kubectl applied no CustomResourceDefinition"
# Word splitting is wanted below (globbing is off: set -f); one space-separated line for lookups.
# shellcheck disable=SC2086
applied_line=" $(printf '%s ' $names)"
for name in $names; do
  case " $allowed " in
    *" $name "*) ;;
    *) die "velero emitted CRD $name, which is not in VELERO_CRD_NAMES (update the library's list and RBAC)" ;;
  esac
done
for name in $allowed; do
  case "$applied_line" in
    *" $name "*) ;;
    *) log "WARNING: velero did not emit CRD $name (left as it is)" ;;
  esac
done

# 3. Wait until every CRD is Established, so that custom resources applied next are accepted.
count=0
for name in $names; do
  deadline=$(($(date +%s) + timeout))
  while :; do
    if ! status=$(kubectl get customresourcedefinition "$name" -o 'jsonpath={.status.conditions[?(@.type=="Established")].status}'); then
      die "cannot read CRD $name (kubectl failed, see above)"
    fi
    [ "$status" != True ] || break
    [ "$(date +%s)" -lt "$deadline" ] || die "CRD $name not Established after ${timeout}s"
    sleep "$poll"
  done
  count=$((count + 1))
done
log "done: $count CRDs applied and Established"
