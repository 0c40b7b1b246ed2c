# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=dash
#
# OCI bundles (and LXC containers) that get an IMA namespace from
# ima_ns_oci_hook.sh, and the runtime commands to run them: sourced by
# ns_runtime_test.sh and by the demo. The OCI runtime is $OCI_RUNTIME:
# crun (the default) or runc.
#
# A container has user, mount, pid, ipc, uts and network namespaces; its
# ids 0..65535 are host ids HOST_BASE.. (a rootless-style mapping: its
# root is not the host's); its root file system is a static busybox. The
# createContainer hook (LXC: mount hook) runs ima_ns_oci_hook.sh with the
# arguments given. With a vTPM state directory, the same hook binds a vTPM
# from the host: OCI createRuntime (stopped by poststop), LXC start-host
# (stopped by post-stop).

OCI_RUNTIME=${OCI_RUNTIME:-crun}
OCI_ID_COUNT=65536
# Capabilities of the container's process: no CAP_SYS_ADMIN or
# CAP_MAC_ADMIN, so it can neither change its IMA policy nor leave it.
OCI_CAPS='"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID"'

# Runs the runtime: crun without a cgroup manager (these containers need
# none), runc with its cgroupfs default.
oci_runtime() {
	case ${OCI_RUNTIME##*/} in
	crun) "$OCI_RUNTIME" --cgroup-manager=disabled "$@" ;;
	*) "$OCI_RUNTIME" "$@" ;;
	esac
}

# ROOTFS HOST_BASE: a root file system with /bin/busybox, its applets sh,
# cat and sleep, and the mount points, owned by the container's root.
oci_make_rootfs() {
	local rootfs=$1 host_base=$2 applet
	mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in sh cat sleep; do
		ln -s busybox "$rootfs/bin/$applet"
	done
	chown -R "$host_base:$host_base" "$rootfs"
}

# HOOK VTPM_DIR: the host's hooks of a container with a vTPM, as members
# of "hooks" after a newline, or nothing without VTPM_DIR.
oci_vtpm_hooks() {
	local hook=$1 dir=$2 name
	[ -n "$dir" ] || return 0
	name=$(basename "$hook")
	echo
	cat <<-EOF
	    "createRuntime": [ {
	      "path": "$hook",
	      "args": [ "$name", "--vtpm", "$dir" ]
	    } ],
	    "poststop": [ {
	      "path": "$hook",
	      "args": [ "$name", "--vtpm-stop", "$dir" ]
	    } ],
	EOF
}

# BUNDLE HOST_BASE ARGS HOOK HOOK_ARGS [VTPM_DIR]: BUNDLE/config.json for
# the container BUNDLE/rootfs. ARGS (the process) and HOOK_ARGS (the hook's
# arguments after its name) are JSON lists without their brackets. With
# VTPM_DIR, a vTPM with its state there is bound from the host.
oci_write_config() {
	local bundle=$1 host_base=$2 args=$3 hook=$4 hook_args=$5 vtpm=${6:-}
	cat >"$bundle/config.json" <<-EOF
	{
	  "ociVersion": "1.0.2",
	  "root": { "path": "rootfs" },
	  "hostname": "$(basename "$bundle")",
	  "process": {
	    "user": { "uid": 0, "gid": 0 },
	    "args": [ $args ],
	    "env": [ "PATH=/bin" ],
	    "cwd": "/",
	    "noNewPrivileges": true,
	    "capabilities": {
	      "bounding": [ $OCI_CAPS ],
	      "effective": [ $OCI_CAPS ],
	      "permitted": [ $OCI_CAPS ]
	    }
	  },
	  "mounts": [
	    { "destination": "/proc", "type": "proc", "source": "proc" },
	    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
	      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
	    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
	      "options": [ "nosuid", "mode=755" ] }
	  ],
	  "hooks": {$(oci_vtpm_hooks "$hook" "$vtpm")
	    "createContainer": [ {
	      "path": "$hook",
	      "args": [ "$(basename "$hook")", $hook_args ]
	    } ]
	  },
	  "linux": {
	    "namespaces": [ { "type": "user" }, { "type": "mount" },
	                    { "type": "pid" }, { "type": "ipc" },
	                    { "type": "uts" }, { "type": "network" } ],
	    "uidMappings": [ { "containerID": 0, "hostID": $host_base,
	                       "size": $OCI_ID_COUNT } ],
	    "gidMappings": [ { "containerID": 0, "hostID": $host_base,
	                       "size": $OCI_ID_COUNT } ]
	  }
	}
	EOF
}

# NAME: the pid of the container's process, as the runtime reports it.
oci_pid() {
	oci_runtime state "$1" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'
}

# NAME FILE: the content of a file of the container's IMA namespace, read
# by host root through the container's root.
oci_ima_file() {
	ima_file_of_pid "$(oci_pid "$1")" "$2"
}

# NAME BUNDLE LOG: create the container; its hooks have then run, its
# process waits for "start". Its output goes to LOG. Prints the id of its
# IMA namespace, which a runtime records with the container's state.
oci_create() {
	local name=$1 bundle=$2 log=$3
	if ! oci_runtime create --bundle "$bundle" "$name" \
		>"$log" 2>&1 </dev/null; then
		sed 's/^/# /' "$log" >&2
		return 1
	fi
	oci_ima_file "$name" ns_id
}

# PID FILE: that file of the IMA namespace of the process PID, read by
# host root through the process's root.
ima_file_of_pid() {
	[ -n "$1" ] && [ "$1" -gt 0 ] || return 1
	cat "/proc/$1/root/sys/kernel/security/ima/$2"
}

# DIR HOST_BASE CMD HOOK HOOK_ARGS [VTPM_DIR]: DIR/config, the LXC
# configuration of the container DIR/rootfs (lxc-start -P of DIR's
# parent). CMD is the container's init command line, HOOK_ARGS the hook's,
# space separated. With VTPM_DIR, a vTPM with its state there is bound
# from the host by start-host, which then activates the namespace.
lxc_write_config() {
	local dir=$1 host_base=$2 cmd=$3 hook=$4 hook_args=$5 vtpm=${6:-}
	[ -z "$vtpm" ] || hook_args="$hook_args --vtpm $vtpm"
	cat >"$dir/config" <<-EOF
	lxc.uts.name = $(basename "$dir")
	lxc.rootfs.path = dir:$dir/rootfs
	lxc.idmap = u 0 $host_base $OCI_ID_COUNT
	lxc.idmap = g 0 $host_base $OCI_ID_COUNT
	lxc.mount.auto = proc:mixed sys:ro
	lxc.autodev = 1
	lxc.net.0.type = empty
	lxc.apparmor.profile = unconfined
	lxc.cap.drop = sys_admin mac_admin
	lxc.init.cmd = $cmd
	lxc.hook.mount = $hook $hook_args
	EOF
	[ -n "$vtpm" ] || return 0
	cat >>"$dir/config" <<-EOF
	lxc.hook.start-host = $hook $hook_args
	lxc.hook.post-stop = $hook --vtpm-stop $vtpm
	EOF
}

# LXC containers are $LXC_PATH/NAME (lxc-start -P).
LXC_PATH=${LXC_PATH:-/var/lib/lxc}

# NAME: the pid of the LXC container NAME's init.
lxc_pid() {
	lxc-info -P "$LXC_PATH" -n "$1" -p -H
}

# NAME LOG: start LXC container NAME: the mount hook runs, then its init.
# Prints the id of its IMA namespace.
lxc_create() {
	local name=$1 log=$2
	if ! lxc-start -P "$LXC_PATH" -n "$name" -d </dev/null >"$log" 2>&1; then
		sed 's/^/# /' "$log" >&2
		return 1
	fi
	ima_file_of_pid "$(lxc_pid "$name")" ns_id
}
