# Hugepages for the daemons of a test that attaches dpdk-dumpcap: a DPDK secondary process can
# only map a primary's hugepage memory (a --no-huge primary leaves it nothing to attach to).
# Sourced after ../dataplane/lib.sh or ../daemon/lib.sh. hugepages_up PAGES reserves PAGES free
# 2 MiB pages (raising vm.nr_hugepages by what is missing), mounts a private hugetlbfs in $WORK
# and points EAL_MEMORY at it; the EXIT trap stops the daemons, unmounts and gives the pages back.

HUGE_NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HUGE_FREE=/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
HUGE_ADDED=0
HUGE_DIR=

hugepages_up() {
  local want=$1 free
  [ -w "$HUGE_NR" ] || fail "cannot reserve hugepages: $HUGE_NR is not writable (dpdk-dumpcap needs them)"
  free=$(cat "$HUGE_FREE")
  if [ "$free" -lt "$want" ]; then
    HUGE_ADDED=$((want - free))
    echo $(($(cat "$HUGE_NR") + HUGE_ADDED)) >"$HUGE_NR"
    free=$(cat "$HUGE_FREE")
    [ "$free" -ge "$want" ] || fail "the kernel gave only $free free 2 MiB hugepages of the $want asked for"
  fi
  HUGE_DIR=$WORK/huge
  mkdir -p "$HUGE_DIR"
  mount -t hugetlbfs -o pagesize=2M nodev "$HUGE_DIR" || fail "cannot mount hugetlbfs on $HUGE_DIR"
  EAL_MEMORY=(--huge-dir "$HUGE_DIR")
  pass "$want free 2 MiB hugepages (added $HUGE_ADDED), hugetlbfs on $HUGE_DIR"
}

# The daemons (and dpdk-dumpcap) hold the page files: stop them before unmounting.
hugepages_cleanup() {
  local rc=$?
  set +e   # errexit would end the handler at the first failure, before cleanup removes the namespaces
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$HUGE_DIR" ] && mountpoint -q "$HUGE_DIR"; then umount "$HUGE_DIR" || echo "warning: cannot unmount $HUGE_DIR"; fi
  rm -rf "/var/run/dpdk/$NAME"-*   # the EAL runtime directories of this test's daemons
  if [ "$HUGE_ADDED" -gt 0 ]; then echo $(($(cat "$HUGE_NR") - HUGE_ADDED)) >"$HUGE_NR" || true; fi
  (exit $rc)   # cleanup reads the test's status from $?
  cleanup
}
trap hugepages_cleanup EXIT
