# SPDX-License-Identifier: GPL-2.0-only
# vzcr: one kbuild-lite make system. Each directory lists its objects in a
# Build.mk (obj-y, proto-y, test-y); this file collects them. V=1 shows commands.

ARCH		?= $(shell uname -m)
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc
DESTDIR		?=

CC		?= gcc
PROTOC_C	?= protoc-c
WERROR		?= 1

CFLAGS		:= -std=gnu11 -O2 -g -Wall -Wextra -Wstrict-prototypes -Wformat-security \
		   -D_GNU_SOURCE -fno-strict-aliasing $(EXTRA_CFLAGS)
ifeq ($(WERROR),1)
CFLAGS		+= -Werror
endif
ifeq ($(DEBUG),1)
CFLAGS		:= $(filter-out -O2,$(CFLAGS)) -O0 -ggdb3
endif
ifeq ($(ASAN),1)
CFLAGS		+= -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS		+= -fsanitize=address,undefined
endif

ifeq ($(V),1)
Q		:=
msg		= @true
else
Q		:= @
msg		= @printf '  %-7s %s\n' $(1) $(2)
endif

.DEFAULT_GOAL	:= all

# config.mk is generated, then make restarts with it.
-include config.mk
config.h config.mk: scripts/config.sh
	$(call msg,CONFIG,$@)
	$(Q)sh scripts/config.sh .

INCLUDES	:= -I. -Itests/lib -Iengine/include -Iengine/lib -Iengine/images/gen -Iarch \
		   -Iarch/$(ARCH)/include
CPPFLAGS	+= $(INCLUDES) $(PROTOBUF_C_CFLAGS) -MMD -MP

# add-dir DIR VAR: include DIR/Build.mk, append its objects to VAR
define add-dir
obj-y :=
proto-y :=
test-y :=
helper-y :=
wl-y :=
include $(1)/Build.mk
$(2) += $$(addprefix $(1)/,$$(obj-y))
protos += $$(addprefix $(1)/,$$(proto-y))
tests += $$(addprefix $(1)/,$$(test-y))
helpers += $$(addprefix $(1)/,$$(helper-y))
workloads += $$(addprefix $(1)/,$$(wl-y))
endef

engine-objs	:=
vzcr-objs	:=
tap-objs	:=
test-objs	:=
protos		:=
tests		:=
helpers		:=
workloads	:=
$(eval $(call add-dir,engine/lib,engine-objs))
$(eval $(call add-dir,engine/images,engine-objs))
$(eval $(call add-dir,engine,engine-objs))
$(eval $(call add-dir,arch/$(ARCH),engine-objs))
$(eval $(call add-dir,vzcr,vzcr-objs))
$(eval $(call add-dir,tests/lib,tap-objs))
$(eval $(call add-dir,tests/images,test-objs))
$(eval $(call add-dir,tests/engine,test-objs))
$(eval $(call add-dir,tests/vzcr,test-objs))
$(eval $(call add-dir,tests/e2e,test-objs))
ploopsync-objs	:=
$(eval $(call add-dir,ploopsync,ploopsync-objs))
ps-tests-before	:= $(tests)
$(eval $(call add-dir,tests/ploopsync,test-objs))
ps-tests	:= $(filter-out $(ps-tests-before),$(tests))
$(eval $(call add-dir,tests/ct,test-objs))
$(eval $(call add-dir,tests/ns,test-objs))
convert-objs	:=
$(eval $(call add-dir,convert,convert-objs))
$(eval $(call add-dir,tests/convert,test-objs))

# protobuf-c code generated from our own schemas into engine/images/gen/
proto-c		:= $(patsubst engine/images/%.proto,engine/images/gen/%.pb-c.c,$(protos))
proto-h		:= $(proto-c:.c=.h)
engine-objs	+= $(proto-c:.c=.o)

engine/images/gen/%.pb-c.c engine/images/gen/%.pb-c.h: engine/images/%.proto
	$(call msg,PROTOC,$<)
	$(Q)mkdir -p engine/images/gen
	$(Q)$(PROTOC_C) --proto_path=engine/images --c_out=engine/images/gen $<

# syscall numbers of the target arch, from its table
syscall-h	:= arch/$(ARCH)/include/asm/syscall-nr.h
$(syscall-h): arch/$(ARCH)/syscalls.tbl scripts/gen-syscalls.sh
	$(call msg,GEN,$@)
	$(Q)sh scripts/gen-syscalls.sh $< $@

ENGINE_LIB	:= engine/libvzcr-engine.a
ENGINE_LIBS	:= $(PROTOBUF_C_LIBS)

# every object waits for config.h and the generated headers
all-objs	:= $(engine-objs) $(vzcr-objs) $(tap-objs)
$(all-objs) $(tests:=.o) $(helpers:=.o) $(workloads:=.o) tests/e2e/wl.o: | config.h $(proto-h) $(syscall-h)

%.o: %.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# generated code is not ours to warn about beyond the defaults
engine/images/gen/%.pb-c.o: engine/images/gen/%.pb-c.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(filter-out -Wextra,$(CFLAGS)) -c -o $@ $<

$(ENGINE_LIB): $(engine-objs)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

vzcr/vzcr: $(vzcr-objs) $(ENGINE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(vzcr-objs) $(ENGINE_LIB) $(ENGINE_LIBS)
# container limits go through libcgroup where it was found (scripts/config.sh)
$(vzcr-objs): CPPFLAGS += $(CGROUP_CFLAGS)
vzcr/vzcr: ENGINE_LIBS += $(CGROUP_LIBS)
# unit tests of vzcr modules link the container objects (all but the CLI's)
vzcr-ct-objs	:= $(filter vzcr/ct%.o,$(vzcr-objs))
tests/vzcr/test-ct-limits.o: CPPFLAGS += -Ivzcr
tests/vzcr/test-ct-limits: $(vzcr-ct-objs)
tests/vzcr/test-ct-limits: ENGINE_LIBS := $(vzcr-ct-objs) $(ENGINE_LIB) $(ENGINE_LIBS) $(CGROUP_LIBS)

# tests: one binary per tests/<part>/test-<module>.c; helpers are programs
# that test scripts (*.t) drive
$(tests) $(helpers): %: %.o $(tap-objs) $(ENGINE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(tap-objs) $(ENGINE_LIB) $(ENGINE_LIBS)

# e2e workloads: plain programs on tests/e2e/wl.c, no engine inside
$(workloads): %: %.o tests/e2e/wl.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $< tests/e2e/wl.o -lrt

programs	:= vzcr/vzcr

# ploopsync: a library (ploopsync/include/ploopsync.h) and its CLI
PLOOPSYNC_LIB	:= ploopsync/libploopsync.a
PLOOPSYNC_LIBS	:= $(ZSTD_LIBS) $(LZ4_LIBS)
ploopsync-cli	:= ploopsync/main.o ploopsync/cmd_send.o
$(ploopsync-objs) $(ploopsync-cli): CPPFLAGS += -Iploopsync/include -Iploopsync
$(ploopsync-objs): CPPFLAGS += $(ZSTD_CFLAGS) $(LZ4_CFLAGS)
$(ploopsync-objs) $(ploopsync-cli) $(ps-tests:=.o): | config.h
$(ps-tests:=.o): CPPFLAGS += -Iploopsync/include -Iploopsync
$(PLOOPSYNC_LIB): $(ploopsync-objs)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^
ploopsync/ploopsync: $(ploopsync-cli) $(PLOOPSYNC_LIB) $(ENGINE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(ploopsync-cli) $(PLOOPSYNC_LIB) $(ENGINE_LIB) $(PLOOPSYNC_LIBS)
$(ps-tests): $(PLOOPSYNC_LIB)
$(ps-tests): ENGINE_LIBS := $(PLOOPSYNC_LIB) $(ENGINE_LIB) $(ENGINE_LIBS) $(PLOOPSYNC_LIBS)
programs	+= ploopsync/ploopsync

# ovz2img: the cpt reader (convert/include/cpt.h) and its CLI
$(convert-objs): CPPFLAGS += -Iconvert/include
$(convert-objs): | config.h $(proto-h)
convert/ovz2img: $(convert-objs) $(ENGINE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(convert-objs) $(ENGINE_LIB) $(ENGINE_LIBS)
programs	+= convert/ovz2img
# libFuzzer harness for the reader and the translation: `make fuzz-cpt`, never
# run by make check; the image writing comes from the engine library as built
fuzz-srcs	:= $(filter-out convert/main.c,$(convert-objs:.o=.c)) engine/lib/log.c
tests/convert/fuzz-cpt: tests/convert/fuzz-cpt.c $(fuzz-srcs) tests/convert/mkcpt $(ENGINE_LIB)
	$(call msg,FUZZ,$@)
	$(Q)clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Iengine/lib \
		-Iengine/include -Iengine/images/gen -Iconvert/include -Iconvert -o $@ $< \
		$(fuzz-srcs) $(ENGINE_LIB) $(PROTOBUF_C_LIBS)
	$(Q)mkdir -p tests/convert/corpus && tests/convert/mkcpt --all tests/convert/corpus
fuzz-cpt: tests/convert/fuzz-cpt
	tests/convert/fuzz-cpt -max_total_time=$${FUZZ_SECONDS:-60} tests/convert/corpus
# test helpers of several objects: PROGRAM, then its objects beside its own
define multi-obj
$(1): $(2)
$(1): ENGINE_LIBS := $(2) $$(ENGINE_LIBS)
$(2): | config.h $$(proto-h) $$(syscall-h)
-include $(2:.o=.d)
endef
# cptlive, the live-tree dumper of the tests (--old-vdso, sockets, ttys);
# mkcpt's container-level records and ttys
$(eval $(call multi-obj,tests/convert/cptlive,$(addprefix tests/convert/cptlive-,dump.o vdso.o sock.o tty.o)))
$(eval $(call multi-obj,tests/convert/mkcpt,tests/convert/mkcpt-ct.o tests/convert/mkcpt-tty.o))

# benchmarks: helpers in bench/, run by `make bench` only (never by make check)
bench-progs	:= bench/bench-mem
bench/bench-mem.o: | config.h
$(bench-progs): %: %.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $<

.PHONY: all deps check demo install clean lint bench tests fuzz-cpt
all: $(programs)
tests: $(tests) $(helpers) $(workloads)

deps:
	@sh scripts/deps.sh

# TAP tests: C binaries and shell scripts, all under prove
test-scripts	= $(sort $(wildcard tests/*/*.t tests/e2e/*.t))
check: deps
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)$(MAKE) --no-print-directory lint
	prove --exec tests/lib/run $(tests) $(test-scripts)

demo: deps
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)sh scripts/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all tests $(bench-progs)
	$(Q)bash bench/run.sh
	$(Q)bash bench/ct.sh

lint:
	$(Q)sh scripts/lint.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/vzcr
	install -m 0755 $(programs) $(DESTDIR)$(SBINDIR)/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 etc/vzcr.conf $(DESTDIR)$(SYSCONFDIR)/vzcr/vzcr.conf

clean:
	$(call msg,CLEAN,tree)
	$(Q)rm -rf engine/images/gen config.h config.mk $(syscall-h) $(ENGINE_LIB) $(PLOOPSYNC_LIB) $(programs) $(tests) $(helpers) $(workloads) $(bench-progs)
	$(Q)find . -name '*.o' -delete -o -name '*.d' -delete

-include $(ploopsync-objs:.o=.d) $(ploopsync-cli:.o=.d)
-include $(convert-objs:.o=.d)
-include $(all-objs:.o=.d) $(tests:=.d) $(helpers:=.d) $(workloads:=.d) $(bench-progs:=.d)
