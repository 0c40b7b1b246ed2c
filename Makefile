# SPDX-License-Identifier: GPL-2.0-only
# IMA namespaces: build, test and package the overlay on Debian's 6.12.
#
# What is overlay (kernel paths) and what is tooling is defined once, in
# scripts/overlay.sh (OVERLAY_ROOTS). This Makefile is tooling.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

TOP := $(abspath .)
BUILD := $(TOP)/build
KTREE := $(BUILD)/linux
# A flavor is one kernel configuration with its own output directory.
FLAVOR ?= test
OBJ := $(BUILD)/obj/$(FLAVOR)
BZIMAGE := $(OBJ)/arch/x86/boot/bzImage
SELFTESTS := $(BUILD)/selftests/$(FLAVOR)
ROOTFS := $(BUILD)/rootfs-$(FLAVOR).img
OUT := $(BUILD)/out/$(FLAVOR)
TEST_TIMEOUT ?= 1500

# PREBUILT=1: kernel-check, warnings and selftests take the kernel as it
# is built, test-vm and test-vm-appraise-log the kernel and root image:
# scripts/test-all.sh builds them first, so that two makes never work in
# one build directory at once.
PREBUILT ?=

# Extra kconfig lines for one build, e.g. KCONFIG_EXTRA="CONFIG_IMA_NS=n";
# KCONFIG_WITHOUT=SYM sets CONFIG_SYM=n and drops what the fragments ask
# of CONFIG_SYM and CONFIG_SYM_* (scripts/make-config.sh --without).
KCONFIG_EXTRA ?=
KCONFIG_WITHOUT ?=
# What make kernel builds: the user-space headers are for the selftests,
# so a flavor that boots nothing leaves them out.
KERNEL_GOALS ?= bzImage headers_install
# SEED=FLAVOR: a build directory not configured yet starts as a copy of
# FLAVOR's (scripts/seed-obj.sh), so that only what depends on the
# configuration's difference is compiled again.
SEED ?=
SELFTEST_FRAGMENT ?= $(KTREE)/tools/testing/selftests/ima_ns/config
DEBUG_FRAGMENT ?= $(KTREE)/kernel/configs/ima_ns_debug.config
GUEST_FRAGMENT ?= $(KTREE)/kernel/configs/ima_ns_guest.config
TEST_GUEST_FRAGMENT ?= scripts/test-guest.config
FRAGMENTS := $(GUEST_FRAGMENT) $(SELFTEST_FRAGMENT) $(DEBUG_FRAGMENT) \
	     $(TEST_GUEST_FRAGMENT)

export CCACHE_DIR ?= $(HOME)/.cache/ccache
# Paths relative to the checkout, so every clone shares the cache.
export CCACHE_BASEDIR ?= $(TOP)
export CCACHE_NOHASHDIR ?= 1
# CCACHE_DEPEND=1, for a configuration no other shares an object with:
# ccache takes the headers from the compiler's dependency output instead
# of preprocessing first (a sixth less CPU on a miss, the same object),
# and finds its entries in direct mode only.
ifneq ($(CCACHE_DEPEND),)
export CCACHE_DEPEND
endif
KMAKE := $(MAKE) -C $(KTREE) O=$(OBJ) CC="ccache gcc" HOSTCC="ccache gcc" \
	 KBUILD_BUILD_TIMESTAMP=ima-ns KBUILD_BUILD_USER=ima-ns \
	 KBUILD_BUILD_HOST=ima-ns -j$(shell nproc)

DEPS := build-essential bc bison flex libelf-dev libssl-dev cpio ccache \
	sparse git xz-utils rsync qemu-system-x86 swtpm swtpm-tools \
	ima-evm-utils keyutils attr busybox-static e2fsprogs openssl tpm2-tools \
	gnuplot-nox jq bsdextrautils crun python3-sphinx python3-sphinx-rtd-theme \
	python3-ply python3-git
# Container runtimes for the runtime tests, without what they recommend
# (templates, bridges, lxcfs...): the tests need the runtimes alone.
DEPS_NO_RECOMMENDS := runc lxc

# The configurations the patchset must build in; the host tests also run
# on the one without IMA namespaces. The CONFIG_IMA_NS=n and CONFIG_IMA=n
# flavors are the test kernel's configuration, debug fragment included,
# but for those symbols: built after the test kernel (MATRIX_AFTER_KERNEL),
# in that order, each from a copy of its build directory (SEED=test).
# Only the objects that depend on a changed symbol are compiled again: 40%
# (the users of user_namespace.h) for the first, 65% for the second (fs.h
# names CONFIG_IMA); ccache has all but a few of the second's from the
# first. The CONFIG_IMA_NS=n VM gets KASAN, lockdep and kmemleak too.
# CONFIG_IMA=n keeps SECURITY_PATH, which IMA selects, as every object
# that includes security.h would be built again without it.
# CONFIG_USER_NS=n changes uidgid.h, which every object includes: that
# flavor shares nothing and starts from a trimmed guest (MATRIX_FRAGMENT:
# the kernel core, TPM, securityfs, audit, keys and integrity, no drivers
# or network protocols): every overlay C file and every user of what the
# overlay adds to a shared header (all in kernel/, security/,
# drivers/char/tpm/) is still built; what is left out only includes those
# headers.
# MATRIX_<flavor> is the make goal and variables of each; it is also what
# its cached result is keyed on (scripts/result-cache.sh), so it names no
# absolute path: every clone shares the key. Each target prints a summary
# line, as the suite does; "cached: ..." when its inputs are those of a
# run that passed.
MATRIX_FLAVORS := no-ima-ns no-ima no-user-ns
MATRIX_AFTER_KERNEL := no-ima-ns no-ima
HOST_TESTS := host_ima_test,securityfs_test,host_attest.sh
MATRIX_FRAGMENT := scripts/matrix-build.config
MATRIX_no-ima-ns := test-vm FLAVOR=no-ima-ns ONLY=$(HOST_TESTS) SEED=test \
	KCONFIG_EXTRA="CONFIG_IMA_NS=n CONFIG_IMA_NS_KUNIT_TEST=n"
MATRIX_no-ima := kernel-check FLAVOR=no-ima SEED=test KERNEL_GOALS=bzImage \
	KCONFIG_WITHOUT=IMA \
	KCONFIG_EXTRA="CONFIG_SECURITY_PATH=y"
MATRIX_no-user-ns := kernel-check FLAVOR=no-user-ns KERNEL_GOALS=bzImage \
	GUEST_FRAGMENT=$(MATRIX_FRAGMENT) DEBUG_FRAGMENT= KCONFIG_WITHOUT=EXT4_FS \
	CCACHE_DEPEND=1 KCONFIG_EXTRA="CONFIG_USER_NS=n CONFIG_IMA_NS=n"
# Inputs a flavor's result does not depend on: the documentation, and the
# selftests for the flavors that boot nothing.
MATRIX_EXCLUDE_no-ima-ns := Documentation
MATRIX_EXCLUDE_no-ima := Documentation tools/testing/selftests
MATRIX_EXCLUDE_no-user-ns := Documentation tools/testing/selftests
# Versions that enter a result besides the tree: toolchain, guest tools, QEMU.
export RESULT_CACHE_PACKAGES := binutils gcc libc6 perl libtss2-tctildr0 \
	libtss2-tcti-device0 $(DEPS) $(DEPS_NO_RECOMMENDS)
# Variables given on make's command line reach the flavor's make too: they
# are inputs, and PREBUILT is cleared so that a flavor always builds.
matrix_cache = scripts/result-cache.sh --name matrix-$(1) --tree $(KTREE) \
	$(addprefix --exclude ,$(MATRIX_EXCLUDE_$(1))) \
	--input '$(subst ','\'',$(MAKEOVERRIDES))'
$(addprefix matrix-,$(MATRIX_FLAVORS)): matrix-%: prepare
	@$(call matrix_cache,$*) -- $(MAKE) --no-print-directory $(MATRIX_$*) PREBUILT=
# For scripts/test-all.sh: print the cached result or fail; build what the
# flavor runs on (its kernel, and the root image if it boots).
$(addprefix matrix-cached-,$(MATRIX_FLAVORS)): matrix-cached-%: prepare
	@$(call matrix_cache,$*) --lookup -- $(MAKE) --no-print-directory $(MATRIX_$*) PREBUILT=
$(addprefix matrix-build-,$(MATRIX_FLAVORS)): matrix-build-%: prepare
	@$(MAKE) --no-print-directory $(patsubst test-vm,rootfs,$(patsubst \
		kernel-check,kernel,$(MATRIX_$*)))
matrix: $(addprefix matrix-,$(MATRIX_FLAVORS))
print-matrix-flavors: ; @echo $(MATRIX_FLAVORS)
print-matrix-after-kernel: ; @echo $(MATRIX_AFTER_KERNEL)

# A kernel build as a check of its own: one pass when it builds.
kernel-check: $(if $(PREBUILT),,kernel)
	@echo "1 passed, 0 failed"

# W=1 and sparse on the overlay's kernel code, in the test kernel's tree.
warnings: $(if $(PREBUILT),,kernel)
	@scripts/check-warnings.sh $(KTREE) $(OBJ)

# kernel-doc, htmldocs (Documentation/security) and the ABI files.
docs: prepare
	@scripts/check-docs.sh $(KTREE) $(BUILD)/docs

.PHONY: matrix print-matrix-flavors print-matrix-after-kernel warnings docs \
	test-vm test-vm-appraise-log kernel-check \
	$(foreach f,$(MATRIX_FLAVORS),matrix-$(f) matrix-cached-$(f) matrix-build-$(f))
.PHONY: FORCE help deps base prepare export export-check apply kernel selftests \
	rootfs test stress demo shell clean

help:
	@echo "make demo          build everything, boot it, show IMA at work"
	@echo "make test          build everything and run every test in QEMU"
	@echo "make stress        the stress tests at their long sizes (STRESS=key=n,...)"
	@echo "make prepare       editable kernel tree in build/linux (base + overlay)"
	@echo "make export        write build/linux edits back to the overlay"
	@echo "make export-check  fail if build/linux holds unexported edits"
	@echo "make apply KSRC=d  apply the overlay to your own pristine 6.12 tree"
	@echo "make kernel        (re)build the test kernel incrementally"
	@echo "make shell         boot the test kernel to a shell"
	@echo "make matrix        build IMA_NS=n (and run the host tests), IMA=n, USER_NS=n"
	@echo "make warnings      W=1 and sparse on the overlay's kernel code"
	@echo "make docs          kernel-doc, htmldocs and ABI checks of our documentation"

# Install only what is missing, so repeated runs cost nothing.
missing_of = $$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q 'ok installed' || echo $$p; done)

deps:
	@missing=$(call missing_of,$(DEPS)); \
	lean=$(call missing_of,$(DEPS_NO_RECOMMENDS)); \
	if [ -n "$$missing$$lean" ]; then \
		echo "deps: installing $$missing $$lean"; \
		apt-get update -q; \
	fi; \
	if [ -n "$$missing" ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi; \
	if [ -n "$$lean" ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $$lean; \
	fi
	@ccache -M 8G >/dev/null

base: deps
	@scripts/fetch-base.sh >/dev/null

prepare: base
	@scripts/overlay.sh prepare $(KTREE) "$$(scripts/fetch-base.sh)"

export:
	@scripts/overlay.sh export $(KTREE)

export-check:
	@scripts/overlay.sh export-check $(KTREE)

apply:
	@test -n "$(KSRC)" || { echo "usage: make apply KSRC=/path/to/linux-6.12"; exit 2; }
	@scripts/overlay.sh apply $(KSRC)

# Rewritten only when the extra lines change, so .config depends on them.
config_extra := $(addprefix --without ,$(KCONFIG_WITHOUT)) $(KCONFIG_EXTRA)
$(OBJ)/config-extra: FORCE
	@mkdir -p $(OBJ)
	@echo "$(config_extra)" | cmp -s - $@ || echo "$(config_extra)" >$@

$(OBJ)/.config: $(FRAGMENTS) $(OBJ)/config-extra scripts/make-config.sh
	scripts/make-config.sh $(addprefix --without ,$(KCONFIG_WITHOUT)) \
		$(KTREE) $(OBJ) $(FRAGMENTS) -- $(KCONFIG_EXTRA)

# The fragments live in the prepared tree: configure in a second make.
kernel: prepare
	@$(if $(SEED),scripts/seed-obj.sh $(BUILD)/obj/$(SEED) $(OBJ) -- $(KMAKE))
	@$(MAKE) -s --no-print-directory $(OBJ)/.config
	@echo "kernel: building $(OBJ)"
	@$(KMAKE) $(KERNEL_GOALS) >$(OBJ)/kernel-build.log 2>&1 || \
		{ tail -n 40 $(OBJ)/kernel-build.log; exit 1; }
	@grep -E '(warning|error):' $(OBJ)/kernel-build.log || true

selftests: $(if $(PREBUILT),,kernel)
	@rm -rf $(SELFTESTS) && mkdir -p $(SELFTESTS)
	@$(MAKE) -s -C $(KTREE)/tools/testing/selftests/ima_ns \
		OUTPUT=$(SELFTESTS)/obj KHDR_INCLUDES="-isystem $(OBJ)/usr/include"
	@$(MAKE) -s -C $(KTREE)/tools/testing/selftests/ima_ns \
		OUTPUT=$(SELFTESTS)/obj KHDR_INCLUDES="-isystem $(OBJ)/usr/include" \
		INSTALL_PATH=$(SELFTESTS)/install install >/dev/null
	@$(MAKE) -s --no-print-directory -C $(KTREE)/tools/testing/selftests/ima_ns \
		OUTPUT=$(SELFTESTS)/obj emit_tests | sed -n 's/^[^:]*:\(.*\)$$/\1/p' \
		>$(SELFTESTS)/install/tests.list

rootfs: selftests
	@scripts/mkrootfs.sh --out $(ROOTFS) --tests $(SELFTESTS)/install

# make test: the suite in QEMU, then (MATRIX=1, the default) W=1/sparse,
# the documentation checks and the configuration matrix; the last line
# sums them. MATRIX=0: the
# suite alone. ONLY=name[,name...] runs just those test programs (and the
# KUnit suites), without the matrix.
MATRIX ?= 1
ONLY ?=
test:
	@scripts/test-all.sh $(if $(filter 1,$(MATRIX)),$(if $(ONLY),,--matrix)) -- \
		$(MAKE) --no-print-directory FLAVOR=$(FLAVOR) $(if $(ONLY),ONLY=$(ONLY))

test-vm: $(if $(PREBUILT),,rootfs)
	@scripts/qemu-test.sh --kernel $(BZIMAGE) --rootfs $(ROOTFS) \
		--outdir $(OUT) --timeout $(TEST_TIMEOUT) --mode test \
		--append "ima_ns.timeout=900$(if $(ONLY), ima_ns.only=$(ONLY))"

# The tests whose subject is the host's boot parameter ima_appraise= (a
# namespace's appraise mode does not follow it) run again on a host booted
# with ima_appraise=log; test-vm boots it enforcing (the default). KUnit
# ran in test-vm already.
APPRAISE_LOG_TESTS := ns_config_test
appraise_log_only = $(if $(ONLY),$(filter $(APPRAISE_LOG_TESTS),$(subst $(comma), ,$(ONLY))),$(APPRAISE_LOG_TESTS))
comma := ,
test-vm-appraise-log: $(if $(PREBUILT),,rootfs)
	@$(if $(appraise_log_only),scripts/qemu-test.sh --kernel $(BZIMAGE) \
		--rootfs $(ROOTFS) --outdir $(OUT)-appraise-log \
		--timeout $(TEST_TIMEOUT) --mode test --append "ima_appraise=log \
		kunit.enable=0 ima_ns.timeout=900 \
		ima_ns.only=$(subst $(space),$(comma),$(appraise_log_only))",\
		echo "0 passed, 0 failed, 0 skipped")
empty :=
space := $(empty) $(empty)

# The stress tests at their long sizes (same programs as in "make test",
# see ns_stress_test.c, ns_hostile_test.c and ns_attack_test.c): STRESS="key=n,..." overrides
# any size, STRESS_TIMEOUT bounds the VM and each program.
STRESS ?= ns=256,workers=16,rounds=8,secs=300,teardowns=200,entries=20000,fuzz=100000,flood=10
STRESS_TIMEOUT ?= 5400
STRESS_TESTS ?= ns_stress_test,ns_hostile_test,ns_attack_test
stress: rootfs
	@scripts/qemu-test.sh --kernel $(BZIMAGE) --rootfs $(ROOTFS) \
		--outdir $(OUT)-stress --timeout $(STRESS_TIMEOUT) --mode test \
		--memory 2048 --append "ima_ns.timeout=$(STRESS_TIMEOUT) \
		ima_ns.only=$(STRESS_TESTS) ima_ns.stress=$(STRESS)"

demo: rootfs
	@scripts/qemu-test.sh --kernel $(BZIMAGE) --rootfs $(ROOTFS) \
		--outdir $(OUT)-demo --mode demo

shell: rootfs
	@scripts/qemu-test.sh --kernel $(BZIMAGE) --rootfs $(ROOTFS) \
		--outdir $(OUT)-shell --mode shell

clean:
	rm -rf $(BUILD)/obj $(SELFTESTS) $(ROOTFS) $(OUT)

# ---- bench (issue 7) --------------------------------------------------------
# make bench: pristine 6.12 against the patched kernel (build/linux), same
# config, booted under QEMU -icount; prints the table and writes
# build/bench/results.json and build/bench/depth.png. See bench/README.md.
# BENCH_RUNS=2 boots each kernel twice and reports the run-to-run spread.
BENCH_OUT := $(BUILD)/bench
BENCH_RUNS ?= 1

.PHONY: bench
bench: prepare
	@bench/run-bench.sh --ktree $(KTREE) --out $(BENCH_OUT) --runs $(BENCH_RUNS)
# ---- end of bench -----------------------------------------------------------

# ---- upstream series (issue 9) ----------------------------------------------
# make series: the committed history as a git-format-patch series against
# the base, with a cover letter (scripts/series-cover.txt), in build/series;
# SERIES_IDENTITY="Name <email>" makes that person the author and the one
# Signed-off-by of every patch (the history has the team's placeholders).
# make series-check: git am it onto a pristine tree in build/series-check,
# checkpatch.pl --strict every patch and build the kernel after each one
# (SERIES_BUILDS=all, the default), after the last one (last) or never;
# its last line counts the patches that passed. make test runs it with
# SERIES_BUILDS=none.
SERIES := $(BUILD)/series
SERIES_WORK := $(BUILD)/series-check
SERIES_BUILDS ?= all

.PHONY: series series-check
series: prepare
	@scripts/series.sh generate $(KTREE) $(SERIES)

series-check: series
	@scripts/series.sh check $(KTREE) $(SERIES) $(SERIES_WORK) $(SERIES_BUILDS)

# make test's series check, series-check SERIES_BUILDS=none: its passing
# result is reused while the commits that make the series (the first-parent
# commits that change the overlay: one that changes only tooling or the
# README makes no patch), the base, the MAINTAINERS that checkpatch's
# exemption reads and the series tooling are the same
# (scripts/result-cache.sh). In a fresh clone, making the series alone
# takes 5-10 minutes of CPU.
SERIES_TOOLING := scripts/series.sh scripts/series-cover.txt scripts/series-bodies \
	scripts/series-fixes scripts/series-messages scripts/series-rebased \
	scripts/series-splits scripts/overlay.sh
.PHONY: series-test
series-test: prepare
	@scripts/result-cache.sh --name series \
		--input "$$(git rev-list --first-parent HEAD -- \
			$$(scripts/overlay.sh roots))" \
		--input "$$(git -C $(KTREE) rev-parse 'base^{tree}')" \
		--input "$$(sha256sum <$(KTREE)/MAINTAINERS)" \
		$(addprefix --files ,$(SERIES_TOOLING)) \
		-- $(MAKE) --no-print-directory series-check SERIES_BUILDS=none
# ---- end of series ----------------------------------------------------------
