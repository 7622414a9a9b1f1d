#!/usr/bin/env bash
# A fresh Debian 12 machine, as issue 9 asks: does a clone pass the README's two commands there,
# as root under /root/project and as a plain user in their home?
#
#   bench/fresh_debian.sh [--branch BRANCH] [--repo PATH] [--only root|user] [--chroot] [--test-args "ARGS"]
#
# Needs root on the host (debootstrap, mounts, namespaces). The machine is a Debian 12 root file
# system made with `debootstrap --variant=minbase --include=python3,python3-venv,git bookworm`
# (cached as /var/cache/ag-container/fresh-bookworm.tar), unpacked anew for each trial and entered
# with pivot_root in new mount and PID namespaces (not a plain chroot: the sandbox's user
# namespaces refuse a chrooted caller; after pivot_root the root file system is the namespace's
# own, as on a real machine). With --chroot, a plain chroot instead, as in a container without
# CAP_SYS_ADMIN: the sandbox's namespaces are refused there (pivot_root needs the root to be a
# mount point, user namespaces refuse a chrooted caller), so it takes its no-namespace path.
# /proc, /sys and /dev come from the host kernel. This network re-signs
# TLS, so the host's CA bundle is copied in and named by PIP_CERT for pip (the trial only).
# Inside, the project is cloned from the repository (a read-only bind mount of --repo, default the
# git directory of the repository this script is in; only committed work is cloned) at BRANCH (default: the branch checked out here), then
#   ./ag grade examples/submissions/full_marks  and  ./ag test $TEST_ARGS
# run as root in /root/project, then as the user `eleve` in /home/eleve/project.
# Prints each command's exit status and pytest's summary line; exits non-zero if any failed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(git -C "$here" rev-parse --path-format=absolute --git-common-dir)"   # a worktree's .git is a file
branch="$(git -C "$here" rev-parse --abbrev-ref HEAD)"
only=""
mode=pivot_root
test_args="-q -p no:cacheprovider"
while [ $# -gt 0 ]; do
  case "$1" in
    --branch) branch="$2"; shift 2 ;;
    --repo) repo="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --test-args) test_args="$2"; shift 2 ;;
    --chroot) mode=chroot; shift ;;
    *) echo "usage: $0 [--branch B] [--repo PATH] [--only root|user] [--chroot] [--test-args ARGS]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "fresh_debian.sh: needs root on the host" >&2; exit 2; }
cache="${AG_CONTAINER_CACHE:-/var/cache/ag-container}"
mirror="${AG_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
tar="$cache/fresh-bookworm.tar"
mkdir -p "$cache"
if [ ! -f "$tar" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -q --no-install-recommends debootstrap
  echo "fresh_debian: debootstrap bookworm (python3, python3-venv, git; once) ..."
  rm -rf "$cache/fresh-bookworm"
  debootstrap --variant=minbase --include=python3,python3-venv,git bookworm "$cache/fresh-bookworm" "$mirror" \
    > "$cache/debootstrap-fresh-bookworm.log" 2>&1
  rm -f "$cache"/fresh-bookworm/var/cache/apt/archives/*.deb
  tar -C "$cache/fresh-bookworm" -cf "$tar.part" . && mv "$tar.part" "$tar" && rm -rf "$cache/fresh-bookworm"
fi

trial() {   # trial root|user : one fresh machine, one account
  local who="$1" rootfs
  rootfs="$(mktemp -d /var/tmp/ag-fresh-XXXXXX)"
  tar -C "$rootfs" -xf "$tar"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ag-trial-ca.crt"
  chmod 644 "$rootfs/etc/ag-trial-ca.crt"
  mkdir -p "$rootfs/mnt/repo"
  printf '[safe]\n\tdirectory = /mnt/repo\n' > "$rootfs/etc/ag-trial-trust.gitconfig"   # root's repository, for the user's clone
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  local inner
  if [ "$who" = root ]; then
    inner='git clone -q --branch "$BRANCH" /mnt/repo /root/project && cd /root/project && run_both'
  else
    inner='useradd -m -s /bin/bash eleve && runuser -u eleve -- env HOME=/home/eleve bash -c "$(declare -f run_both); cd /home/eleve && GIT_CONFIG_GLOBAL=/etc/ag-trial-trust.gitconfig git clone -q --branch \"\$BRANCH\" /mnt/repo project && cd project && run_both"'
  fi
  echo "== fresh Debian 12 ($who, $mode), branch $branch ($(git -C "$repo" rev-parse --short "$branch")), $(date -u +%H:%M:%S)"
  local rc=0
  unshare --mount --pid --fork --propagation private -- /bin/bash -c '
    set -e
    R="$1"
    [ "$6" = chroot ] || mount --bind "$R" "$R"     # pivot_root needs a mount point; a plain chroot has none
    mount --bind -o ro "$2" "$R/mnt/repo"
    mount -t proc proc "$R/proc"
    mount --rbind /sys "$R/sys"
    mount --rbind /dev "$R/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm"
    if [ "$6" = pivot_root ]; then
      cd "$R" && mkdir -p .oldroot && pivot_root . .oldroot && umount -l /.oldroot && rmdir /.oldroot
      enter=""
    else
      enter="chroot $R"
    fi
    exec $enter /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
      LANG=C.UTF-8 PIP_CERT=/etc/ag-trial-ca.crt BRANCH="$3" TEST_ARGS="$4" /bin/bash -c "
        run_both() {
          echo \"-- \$(id -un) in \$PWD: python \$(python3 --version 2>&1), git \$(git --version | cut -d\" \" -f3)\"
          set +e
          ./ag grade examples/submissions/full_marks > /tmp/grade.out 2>&1; g=\$?
          tail -4 /tmp/grade.out
          echo \"-- ./ag grade examples/submissions/full_marks: exit \$g\"
          ./ag test \$TEST_ARGS > /tmp/test.out 2>&1; t=\$?
          grep -E \"^(FAILED|ERROR) \" /tmp/test.out | head -20
          grep -E \"^E  \" /tmp/test.out | sort | uniq -c | sort -rn | head -3 | cut -c1-300
          tail -1 /tmp/test.out
          echo \"-- ./ag test: exit \$t\"
          [ \$g = 0 ] && [ \$t = 0 ]
        }
        $5"
  ' bash "$rootfs" "$repo" "$branch" "$test_args" "$inner" "$mode" || rc=$?
  rm -rf "$rootfs"
  echo "== $who: exit $rc"
  return $rc
}

status=0
[ "$only" = user ] || trial root || status=1
[ "$only" = root ] || trial user || status=1
exit $status
