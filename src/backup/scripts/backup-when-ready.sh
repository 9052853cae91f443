#!/bin/sh
# One-off Velero backup of cnai-model-platform, created only when it can succeed (run by a Job).
#
# Velero marks a Backup created before its BackupStorageLocation is Available as FailedValidation
# for good (velero-io/velero@v1.18.1:pkg/controller/backup_controller.go), and backs up no pod
# volume of a pod that is not Running, without an error (pkg/podvolume/backupper.go). So this
# script waits until the location is Available and every Deployment and StatefulSet of the
# namespace is ready, then creates the Backup. A Backup that exists already is left alone, so a
# re-run (or a GitOps sync) never takes a second backup.
#
# Usage: backup-when-ready.sh BACKUP_JSON
# Environment:
#   VELERO_NAMESPACE            namespace of Velero, its location and the Backup (required)
#   BACKUP_NAME                 metadata.name of the Backup in BACKUP_JSON (required)
#   BACKUP_STORAGE_LOCATION     name of the BackupStorageLocation to wait for (required)
#   WORKLOAD_NAMESPACE          namespace whose workloads must be ready (required)
#   BACKUP_WAIT_TIMEOUT_SECONDS how long to wait in all (default 3600)
#   BACKUP_POLL_SECONDS         pause between two checks (default 10)
#   KUBE_API_URL, KUBE_TOKEN_FILE, KUBE_CA_FILE  see kube-api.py (defaults: the Pod's ServiceAccount)
#
# Needs: python3 and kube-api.py (next to this script); date, sleep. Runs under any POSIX sh.
set -eu
set -f

log() { printf 'backup-when-ready: %s\n' "$*"; }
die() {
  printf 'backup-when-ready: ERROR: %s\n' "$*" >&2
  exit 1
}

[ "$#" -eq 1 ] || die "usage: backup-when-ready.sh BACKUP_JSON"
backup_file=$1
[ -r "$backup_file" ] || die "cannot read the Backup object $backup_file"
velero_ns=${VELERO_NAMESPACE:-}
name=${BACKUP_NAME:-}
location=${BACKUP_STORAGE_LOCATION:-}
workload_ns=${WORKLOAD_NAMESPACE:-}
timeout=${BACKUP_WAIT_TIMEOUT_SECONDS:-3600}
poll=${BACKUP_POLL_SECONDS:-10}
for v in "$velero_ns" "$name" "$location" "$workload_ns"; do
  case $v in '' | *[!a-z0-9.-]*) die "VELERO_NAMESPACE, BACKUP_NAME, BACKUP_STORAGE_LOCATION and WORKLOAD_NAMESPACE must be Kubernetes names, got '$v'" ;; esac
done
case $timeout in '' | *[!0-9]*) die "BACKUP_WAIT_TIMEOUT_SECONDS must be a whole number, got '$timeout'" ;; esac
kube_api=${KUBE_API_CLIENT:-${0%/*}/kube-api.py}
[ -r "$kube_api" ] || die "cannot read the Kubernetes API client $kube_api"
command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH ($PATH)"
kube() { python3 -I "$kube_api" "$@"; }

velero_api=/apis/velero.io/v1/namespaces/$velero_ns
deadline=$(($(date +%s) + timeout))

# A Backup object runs once; if it exists (this Job ran before), there is nothing to do. Exit
# status 4 of the client is NotFound; anything else but success is an error, never "absent".
found=0
answer=$(kube get "$velero_api/backups/$name" 2>&1 >/dev/null) || found=$?
case $found in
  0)
    log "backup $velero_ns/$name exists, leaving it alone"
    exit 0
    ;;
  4) ;;
  *) die "cannot check whether backup $velero_ns/$name exists: $answer" ;;
esac

# wait_until CHECK WAITING FAILED HINT: runs the function CHECK, which sets `state` and succeeds when
# ready, every $poll seconds; gives up at the deadline that both waits share, with the last state.
wait_until() {
  announced=0
  until "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$3 after ${timeout}s ($state)$4"
    [ "$announced" -eq 1 ] || log "waiting up to ${timeout}s for $2 ($state)"
    announced=1
    sleep "$poll"
  done
}

location_available() {
  phase=$(kube status-phase "$velero_api/backupstoragelocations/$location" 2>&1) || phase="unreadable: $phase"
  state="phase: ${phase:-unset}"
  [ "$phase" = Available ]
}

workloads_ready() {
  state=$(kube workloads-ready "$workload_ns" 2>&1) || state="unreadable: $state"
  case $state in ready:*) return 0 ;; *) return 1 ;; esac
}

wait_until location_available "backup storage location $velero_ns/$location to be Available" \
  "backup storage location $velero_ns/$location is not Available" "; check 'velero backup-location get' and the velero server's log"
wait_until workloads_ready "the workloads of namespace $workload_ns" \
  "the workloads of namespace $workload_ns are not ready" ": a backup now would miss the volumes of pods that are not Running"
log "namespace $workload_ns $state"
outcome=$(kube create "$velero_api/backups" "$backup_file") || die "could not create backup $velero_ns/$name (see above)"
case $outcome in
  created) log "backup $velero_ns/$name created; follow it with: velero backup describe $name -n $velero_ns" ;;
  exists) log "backup $velero_ns/$name was created concurrently, leaving it alone" ;;
  *) die "unexpected answer '$outcome' when creating backup $velero_ns/$name" ;;
esac
