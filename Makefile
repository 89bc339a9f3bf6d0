# opsmgr-enroll - build, test, run, install.
#
#   make run      install missing packages, build, start the lab, open the wizard
#   make test     install missing packages, build, run every test twice:
#                 plain and under ASan+UBSan; prints "N passed, N failed"
#   make bench    measurements (bench/)     make fuzz FUZZ_SECONDS=N
#   make install  PREFIX=/usr/local DESTDIR= SYSCONFDIR=/etc UNITDIR=...
#   make deb      the Debian packages (debian/, dpkg-buildpackage -b -us -uc)
#                 built from a copy of the tree in $(B)/deb; .debs land there
#
# Sources are picked up by directory, so a new file needs no Makefile edit:
#   backend/*/*.c                -> $(B)/libbackend.a   (no curses here)
#   wizard/*.c screens/**/*.c    -> $(B)/libapp.a + app/main.c -> opsmgr-enroll
#   (app/ may include wizard/, screens/ and backend/; scripts/check-includes.sh
#   keeps every folder to its allowed directions)
#   lab/*.c                      -> $(B)/liblab.a + lab/main.c -> opsmgr-enroll-lab
#   tests/common/*.c             -> $(B)/libtestcommon.a
#   tests/{unit,integration,ui}/test_*.c -> one test program each

SAN ?= 0
FUZZ ?= 0
ifeq ($(FUZZ),1)
# libFuzzer build: clang, every object instrumented, fuzz targets linked
# with the fuzzer runtime (tests/fuzz/fuzz_*.c -> $(B)/fuzz/fuzz_*).
B ?= build-fuzz
CC = clang
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(SAN),1)
B ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B ?= build
SANFLAGS =
endif

PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
CC ?= cc
VERSION := 0.1.0

PKGS := ncursesw formw menuw panelw libcrypto libssl libcurl libmicrohttpd gnutls libzip libxml-2.0
TEST_PKGS := cmocka vterm

have_pkgs := $(shell pkg-config --exists $(PKGS) $(TEST_PKGS) 2>/dev/null && echo yes)
ifeq ($(have_pkgs),yes)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# libcurl is loaded at run time (backend/sys/curl_dl.c): the product links
# without it; test programs that call libcurl themselves link it.
PKG_LIBS := $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)))
CURL_LIBS := $(shell pkg-config --libs libcurl)
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS := $(shell pkg-config --libs $(TEST_PKGS))
endif

CPPFLAGS += -D_GNU_SOURCE -DOPSMGR_VERSION=\"$(VERSION)\" -Ibackend -Iwizard -Iscreens -Ilab -Itests/common \
	-I/usr/include/iniparser
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter $(SANFLAGS) $(PKG_CFLAGS)
LDFLAGS += $(SANFLAGS)
LIBS := $(PKG_LIBS) -liniparser -lutil -lm -lpthread

BACKEND_SRC := $(wildcard backend/*/*.c)
APP_SRC := $(wildcard wizard/*.c) $(wildcard screens/*.c screens/widgets/*.c)
LAB_SRC := $(filter-out lab/main.c,$(wildcard lab/*.c))
TESTCOMMON_SRC := $(wildcard tests/common/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
UI_SRC := $(wildcard tests/ui/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

BACKEND_LIB := $(B)/libbackend.a
APP_LIB := $(B)/libapp.a
LAB_LIB := $(B)/liblab.a
TESTCOMMON_LIB := $(B)/libtestcommon.a

WIZARD := $(B)/opsmgr-enroll
LABBIN := $(B)/opsmgr-enroll-lab
TEST_BINS := $(patsubst %.c,$(B)/%,$(UNIT_SRC) $(INTEG_SRC) $(UI_SRC))

.SECONDARY:
.PHONY: all tests test test-plain test-san run deps install clean bench fuzz check-deps deb

all: deps-check-quiet $(WIZARD) $(LABBIN)

# --- dependencies --------------------------------------------------------
deps:
	@scripts/deps.sh

deps-check-quiet:
	@pkg-config --exists $(PKGS) $(TEST_PKGS) && test -f /usr/include/iniparser/iniparser.h || \
	  { echo "missing build dependencies: run 'make deps' (as root) first"; exit 1; }
.PHONY: deps-check-quiet

# --- objects and libraries -----------------------------------------------
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

$(BACKEND_LIB): $(call obj,$(BACKEND_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(APP_LIB): $(call obj,$(APP_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LAB_LIB): $(call obj,$(LAB_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(TESTCOMMON_LIB): $(call obj,$(TESTCOMMON_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(WIZARD): $(call obj,app/main.c) $(APP_LIB) $(BACKEND_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(LABBIN): $(call obj,lab/main.c) $(LAB_LIB) $(BACKEND_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# Every test links everything it might need; unused archive members cost nothing.
$(B)/tests/%: $(B)/obj/tests/%.o $(TESTCOMMON_LIB) $(APP_LIB) $(LAB_LIB) $(BACKEND_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(CURL_LIBS) $(TEST_LIBS)

# Test programs only (the binaries they drive come from `all`).
tests: $(TEST_BINS)

FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
$(B)/fuzz/%: $(B)/obj/tests/fuzz/%.o $(TESTCOMMON_LIB) $(LAB_LIB) $(BACKEND_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz-build: $(FUZZ_BINS)
.PHONY: fuzz-build

# --- test ------------------------------------------------------------------
# First the include check (scripts/check-includes.sh: no include cycle, every
# folder includes only in its allowed directions; also counted in the suite
# by tests/unit/test_include_check), then both builds and a short run of
# every fuzz target (corpus + 5 s), one summary line at the end ("N passed,
# N failed").
test: deps
	scripts/check-includes.sh
	$(MAKE) --no-print-directory all tests
	$(MAKE) --no-print-directory SAN=1 all tests
	$(MAKE) --no-print-directory FUZZ=1 fuzz-build
	VALGRIND=build FUZZ_SMOKE=build-fuzz scripts/run-tests.sh build build-san

test-plain: deps
	scripts/check-includes.sh
	$(MAKE) --no-print-directory all tests
	scripts/run-tests.sh build

test-san: deps
	$(MAKE) --no-print-directory SAN=1 all tests
	scripts/run-tests.sh build-san

# --- run: the lab on loopback and the wizard pointed at it ---------------
run: deps
	$(MAKE) --no-print-directory all
	scripts/run-with-lab.sh $(B)

# --- bench and fuzz ------------------------------------------------------
bench: deps
	$(MAKE) --no-print-directory all
	@if [ -x bench/run.sh ]; then bench/run.sh $(B); else echo "bench: no bench/run.sh yet"; exit 1; fi

FUZZ_SECONDS ?= 30
fuzz: deps
	$(MAKE) --no-print-directory FUZZ=1 fuzz-build
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# --- install -------------------------------------------------------------
# The system configuration file is written from the key table
# (`opsmgr-enroll config-template`) and never replaces an existing one; the
# renewal units get this PREFIX's binary in ExecStart.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(WIZARD) $(LABBIN) $(DESTDIR)$(PREFIX)/bin/
	@for m in man/*.1; do [ -f "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man1/ || true; done
	install -d $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/opsmgr-enroll
	install -m 0644 contrib/bash-completion/opsmgr-enroll contrib/bash-completion/opsmgr-enroll-lab $(DESTDIR)$(COMPLETIONDIR)/
	for u in contrib/systemd/opsmgr-enroll-renew.service contrib/systemd/opsmgr-enroll-renew.timer; do \
	  sed 's|/usr/local/bin/opsmgr-enroll|$(PREFIX)/bin/opsmgr-enroll|' "$$u" >$(DESTDIR)$(UNITDIR)/$${u##*/} && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; done
	ini=$(DESTDIR)$(SYSCONFDIR)/opsmgr-enroll/opsmgr-enroll.ini; [ -e "$$ini" ] || \
	  { $(WIZARD) config-template >"$$ini.tmp" && chmod 0644 "$$ini.tmp" && mv "$$ini.tmp" "$$ini"; }

# --- Debian packages ---------------------------------------------------------
# A copy of the tree (no build directories, no .git) in a temporary folder
# outside the working tree, built there by dpkg-buildpackage and removed
# afterwards, also on failure (no second copy of the sources lingers in the
# build directory); opsmgr-enroll_*.deb, opsmgr-enroll-lab_*.deb and the
# build log land in $(B)/deb.  tests/integration/test_deb_package installs
# them.
deb:
	rm -rf $(B)/deb && mkdir -p $(B)/deb
	t=$$(mktemp -d "$${TMPDIR:-/tmp}/opsmgr-deb.XXXXXX") && mkdir "$$t/src" && \
	trap 'rm -rf "$$t"' EXIT && \
	tar -c --exclude='./build*' --exclude=./.git --exclude='./debian/.debhelper' . | tar -x -C "$$t/src" && \
	{ (cd "$$t/src" && dpkg-buildpackage -b -us -uc -j2) >$(B)/deb/build.log 2>&1 || \
	  { tail -40 $(B)/deb/build.log; exit 1; }; } && \
	mv "$$t"/*.deb "$$t"/*.buildinfo "$$t"/*.changes $(B)/deb/
	@ls $(B)/deb/*.deb

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
