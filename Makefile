# Build, run and test the membership service.
#
#   make deps     install missing Debian packages and npm modules, copy vendor assets
#   make build    var/build/app and var/build/unit_tests
#   make san      var/build/app-san and var/build/unit_tests-san (ASan, UBSan)
#   make run      deps + build, then the whole stack on PORT (default 8080) in var/run
#   make stop     stop the stack started by make run (from any shell)
#   make test     deps + build, san and the fuzz targets, then tests/run.sh
#                 (unit, fuzz smoke, HTTP and browser suites, against the
#                 sanitizer build); TESTS=word runs only the test files, fuzz
#                 targets and unit cases named with it
#   make bench    deps + build, then tests/bench/run.sh (wrk scenarios)
#   make bench-scale  deps + build, then tests/bench/scale.sh (a year of a
#                 large merchant: the staff reports and lists, the card)
#   make fuzz     libFuzzer targets var/build/fuzz_* (installs clang)
#   make fuzz-smoke  the fuzz targets, each run for FUZZ_TIME seconds (10)
#   make lint     cppcheck and the white space of every C file
#   make format-diff  what clang-format would change in the lines changed
#                 since main (advice: see .clang-format)
#   make clean    remove var/build
#
# Everything generated lives under var/ (and node_modules/, static/vendor/).

SHELL		:= /bin/bash
.SHELLFLAGS	:= -eu -o pipefail -c
.DEFAULT_GOAL	:= build
.DELETE_ON_ERROR:
# Keep the fuzz objects that pattern rules make on the way.
.SECONDARY:
.SUFFIXES:

ifeq ($(origin CC),default)
CC		:= gcc
endif
CLANG		?= clang
PORT		?= 8080
APP_ENV		?= dev
NPROC		:= $(shell nproc 2>/dev/null || echo 2)

BUILD		:= var/build
OBJ		:= $(BUILD)/obj
FUZZOBJ		:= $(BUILD)/fuzzobj

# Evaluated when used (recursive '='), so a `make deps` earlier in the same
# run that installs libmariadb-dev is seen by the compile that follows.
DB_CFLAGS	 = $(shell mariadb_config --include 2>/dev/null || echo -I/usr/include/mariadb)
DB_LIBS		 = $(shell mariadb_config --libs 2>/dev/null || echo -lmariadb)

CFLAGS		?= -O2 -g
WARN		:= -Wall -Wextra -Wno-unused-parameter
ALL_CFLAGS	 = -std=gnu11 $(CFLAGS) $(WARN) -D_GNU_SOURCE -I fcgi -I handlers \
		   $(DB_CFLAGS)
DEPFLAGS	:= -MMD -MP
LDLIBS		 = -lfcgi -lcjson $(DB_LIBS) -lqrencode -lsodium -lpng -ljpeg -lcurl -lcrypto -lm

# Sources. fcgi/main.c holds main(); the unit runner has its own in
# tests/unit/main.c. Objects are linked directly, never through a static
# archive: routes, statements, commands and unit cases register themselves
# in ELF sections that an archive member nobody references would lose.
# Handler sources in every folder under handlers/, however deep: a file
# left out of the build would be routes that answer 404, not a link error.
HANDLER_SRC	:= $(shell find handlers -name '*.c' | LC_ALL=C sort)
HANDLER_HDR	:= $(shell find handlers -name '*.h' | LC_ALL=C sort)
RT_SRC		:= $(wildcard fcgi/*.c) $(HANDLER_SRC)
LIB_SRC		:= $(filter-out fcgi/main.c,$(RT_SRC))
UNIT_SRC	:= $(wildcard tests/unit/*.c)
FUZZ_SRC	:= $(wildcard tests/fuzz/fuzz_*.c)

RT_OBJ		:= $(RT_SRC:%.c=$(OBJ)/%.o)
LIB_OBJ		:= $(LIB_SRC:%.c=$(OBJ)/%.o)
UNIT_OBJ	:= $(UNIT_SRC:%.c=$(OBJ)/%.o)
FUZZ_LIB_OBJ	:= $(LIB_SRC:%.c=$(FUZZOBJ)/%.o)
FUZZ_BIN	:= $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/%)

# Front-end assets copied out of node_modules into static/vendor/.
VENDOR_CP	:= static/vendor/weui.min.css static/vendor/echarts.min.js \
		   static/vendor/html5-qrcode.min.js static/vendor/jsQR.js
VENDOR		:= $(VENDOR_CP) static/vendor/jweixin.js
NPM_STAMP	:= node_modules/.package-lock.json

# Sub-makes get -j unless the caller chose a job count already.
SUBJOBS		 = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))

.PHONY: all build san deps apt npm vendor run stop test bench bench-scale \
	fuzz fuzz-smoke lint format-diff clean distclean

all: build

build: $(BUILD)/app $(BUILD)/unit_tests

$(BUILD)/app: $(RT_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit_tests: $(UNIT_OBJ) $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# ---- the sanitizer build --------------------------------------------------

# The same sources with AddressSanitizer and UndefinedBehaviorSanitizer in
# objects of their own; make test runs every suite against these, while
# make run and make bench keep the optimised var/build/app. Undefined
# behaviour aborts instead of printing and going on, so that it fails the
# request and is seen. GCC leaves float-cast-overflow out of "undefined":
# a JSON number cast to int64_t is where it matters, so it is named.
SANOBJ		:= $(BUILD)/san
SAN_CHECKS	:= address,undefined,float-cast-overflow
SAN_FLAGS	:= -fsanitize=$(SAN_CHECKS) \
		   -fno-sanitize-recover=undefined,float-cast-overflow \
		   -fno-omit-frame-pointer
SAN_CFLAGS	?= -O1 -g
SAN_ALL_CFLAGS	 = -std=gnu11 $(SAN_CFLAGS) $(SAN_FLAGS) $(WARN) -D_GNU_SOURCE \
		   -I fcgi -I handlers $(DB_CFLAGS)
SAN_RT_OBJ	:= $(RT_SRC:%.c=$(SANOBJ)/%.o)
SAN_LIB_OBJ	:= $(LIB_SRC:%.c=$(SANOBJ)/%.o)
SAN_UNIT_OBJ	:= $(UNIT_SRC:%.c=$(SANOBJ)/%.o)

san: $(BUILD)/app-san $(BUILD)/unit_tests-san

$(BUILD)/app-san: $(SAN_RT_OBJ)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit_tests-san: $(SAN_UNIT_OBJ) $(SAN_LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(SANOBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SAN_ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# ---- dependencies ---------------------------------------------------------

deps: apt npm vendor

apt:
	@conf/deps.sh

npm: $(NPM_STAMP)

# npm writes node_modules/.package-lock.json on every install: it is the
# stamp that says node_modules matches the lock file.
$(NPM_STAMP): package.json $(wildcard package-lock.json) | apt
	@if [ -f package-lock.json ]; then \
		echo "npm ci"; npm ci --no-audit --no-fund; \
	else \
		echo "npm install"; npm install --no-audit --no-fund; \
	fi
	@touch $@

vendor: $(VENDOR)

static/vendor/weui.min.css: node_modules/weui/dist/style/weui.min.css
static/vendor/echarts.min.js: node_modules/echarts/dist/echarts.min.js
static/vendor/html5-qrcode.min.js: node_modules/html5-qrcode/html5-qrcode.min.js
static/vendor/jsQR.js: node_modules/jsqr/dist/jsQR.js

$(VENDOR_CP): $(NPM_STAMP)
	@mkdir -p $(@D)
	cp $(filter node_modules/%/$(@F),$^) $@

# WeChat's JS-SDK: the npm package is CommonJS only; a page's plain
# <script> gets it as window.wx (and jWeixin), as WeChat's own file does.
static/vendor/jweixin.js: node_modules/weixin-js-sdk/index.js $(NPM_STAMP)
	@mkdir -p $(@D)
	{ echo '(function () { var module = { exports: {} };'; cat $<; \
	  echo 'window.wx = window.jWeixin = module.exports; })();'; } >$@.tmp
	mv $@.tmp $@

node_modules/%: $(NPM_STAMP) ;

# ---- running --------------------------------------------------------------

# deps and build under a lock: `make run` and several `make test` may start
# at once in one tree, and two npm ci or two compilers writing one object
# would trip over each other. PREPARE_GOALS: what the target builds.
PREPARE_GOALS	 = build
PREPARE		 = @mkdir -p var && flock var/.prepare.lock sh -c \
		   '$(MAKE) --no-print-directory deps && \
		    $(MAKE) --no-print-directory $(SUBJOBS) $(PREPARE_GOALS)'

run:
	$(PREPARE)
	conf/stack.sh fg var/run $(PORT) $(APP_ENV)

stop:
	conf/stack.sh down var/run

# The suites run against the sanitizer build, with the fuzz smoke among
# them (tests/run.sh); var/build/app is built too, for make run.
test: PREPARE_GOALS = build san fuzz-bin
test:
	$(PREPARE)
	tests/run.sh $(TESTS)

bench:
	$(PREPARE)
	$(MAKE) --no-print-directory $(BUILD)/claim_raw $(BUILD)/order_raw
	tests/bench/run.sh

bench-scale:
	$(PREPARE)
	tests/bench/scale.sh

# The flash-sale claim straight against MariaDB, beside the app's run.
$(BUILD)/claim_raw: tests/bench/claim_raw.c tests/bench/raw_db.c \
    tests/bench/raw_db.h handlers/coupon/coupon_rules.c \
    handlers/core/core_rules.c handlers/coupon/coupon_rules.h \
    handlers/coupon/coupon.h handlers/core/core_rules.h handlers/member/member.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ tests/bench/claim_raw.c tests/bench/raw_db.c \
	    handlers/coupon/coupon_rules.c handlers/core/core_rules.c \
	    $(DB_LIBS) -lsodium -lpthread

# A member's order straight against MariaDB, beside the app's run: the
# pricing engine and the pure rules it reads, no request layer.
ORDER_RAW_SRC	:= tests/bench/order_raw.c tests/bench/raw_db.c \
		   handlers/order/order_rules.c \
		   handlers/wallet/wallet_rules.c \
		   handlers/coupon/coupon_rules.c handlers/core/core_rules.c \
		   handlers/tier/tier_rules.c handlers/tier/privilege_rules.c \
		   handlers/points/points_rules.c
$(BUILD)/order_raw: $(ORDER_RAW_SRC) tests/bench/raw_db.h handlers/order/order.h \
    handlers/wallet/wallet_rules.h handlers/coupon/coupon_rules.h \
    handlers/coupon/coupon.h handlers/core/core_rules.h handlers/tier/tier.h \
    handlers/order/order_db.h handlers/stats/stats_sql.h handlers/wallet/wallet.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(ORDER_RAW_SRC) $(DB_LIBS) -lsodium -lpthread

# ---- fuzzing --------------------------------------------------------------

# libFuzzer with ASan and UBSan; undefined behaviour aborts, so the fuzzer
# counts it as a crash. The objects are clang's, beside gcc's.
FUZZ_SAN	:= -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-sanitize-recover=undefined
FUZZ_CFLAGS	 = -std=gnu11 -O1 -g $(FUZZ_SAN) -fno-omit-frame-pointer \
		   $(WARN) -D_GNU_SOURCE -DFUZZING -I fcgi -I handlers \
		   $(DB_CFLAGS)
FUZZ_TIME	?= 10

# What a target links besides its own object: FUZZ_LINK_<target> when
# set (pure rules, so that a target does not wait for every handler),
# else every object but main's (the request layer reaches the router,
# which reaches every handler's routes).
FUZZ_LINK_fuzz_date	:= handlers/core/core_rules.c
FUZZ_LINK_fuzz_coupon	:= handlers/coupon/coupon_rules.c \
			   handlers/core/core_rules.c
FUZZ_LINK_fuzz_mcode	:= handlers/member/membercode_rules.c
FUZZ_LINK_fuzz_referral	:= handlers/member/member_rules.c
FUZZ_LINK_fuzz_image	:= handlers/core/image.c
FUZZ_LINK_fuzz_catalog	:= handlers/catalog/catalog_rules.c
fuzz_link	 = $(patsubst %.c,$(FUZZOBJ)/%.o,$(or $(FUZZ_LINK_$1),$(LIB_SRC)))

# clang is a dependency (conf/deps.sh --fuzz; make deps installs it too):
# without it this fails, it does not skip.
fuzz:
	@conf/deps.sh --fuzz
	@$(MAKE) --no-print-directory $(SUBJOBS) fuzz-bin

.PHONY: fuzz-bin
fuzz-bin: $(FUZZ_BIN)

# Every target for FUZZ_TIME seconds from its seeds in tests/fuzz/corpus/;
# fails on a crash, a leak, a timeout or a broken property.
fuzz-smoke: fuzz
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/smoke.sh

.SECONDEXPANSION:
$(BUILD)/fuzz_%: $(FUZZOBJ)/tests/fuzz/fuzz_%.o $$(call fuzz_link,fuzz_$$*)
	@mkdir -p $(@D)
	$(CLANG) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

$(FUZZOBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# ---- style ----------------------------------------------------------------

# Every C file: the runtime, every handler folder however deep, the unit
# tests and the fuzz targets (cppcheck walks LINT_DIRS itself).
LINT_DIRS	:= fcgi handlers tests/unit tests/fuzz
LINT_SRC	 = $(wildcard fcgi/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch]) \
		   $(HANDLER_SRC) $(HANDLER_HDR)

# cppcheck does not read system headers (so the code walks cJSON arrays
# with plain loops, not cJSON's macro); comparePointers is the
# __start_/__stop_ section walk, by design.
CPPCHECK_FLAGS	:= --quiet --error-exitcode=1 --std=c11 --inline-suppr \
		   --enable=warning,performance,portability \
		   --suppress=missingIncludeSystem --suppress=comparePointers \
		   -D_GNU_SOURCE -I fcgi -I handlers

# Runs both checks, then fails if either found something: cppcheck, and
# the white space the house style and clang-format agree on (indentation by
# tabs, nothing trailing, no carriage return). clang-format itself is not a
# gate: version 14 cannot express style(9)'s alignment (.clang-format), so
# it reports the whole tree, house style included; `make format-diff` shows
# its advice for the lines a change touches.
lint:
	@conf/deps.sh --lint
	@rc=0; \
	echo "cppcheck"; \
	cppcheck $(CPPCHECK_FLAGS) $(LINT_DIRS) || rc=1; \
	echo "white space"; \
	if grep -nE '^( {8})+[^ *]|[[:space:]]+$$' $(LINT_SRC); then \
		echo "lint: indent with tabs, no trailing white space" >&2; \
		rc=1; \
	fi; \
	exit $$rc

LINT_BASE	?= main

format-diff:
	@conf/deps.sh --lint
	@git clang-format --diff $(LINT_BASE) -- $(LINT_SRC) || true

# ---- housekeeping ---------------------------------------------------------

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf node_modules static/vendor

-include $(RT_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d) \
	$(FUZZ_BIN:$(BUILD)/%=$(FUZZOBJ)/tests/fuzz/%.d) \
	$(SAN_RT_OBJ:.o=.d) $(SAN_UNIT_OBJ:.o=.d)
