# The human front door. Two commands matter: `make demo` and `make test`.
MVN ?= mvn -B -q
RUN  = scripts/run-test-main.sh
GIB ?= 4

.PHONY: all build package test demo bench-stdio bench-startup bench-import bench-restore bench-audit clean

all: package

## build: compile every module and assemble plugin/target/dist (no tests)
build:
	$(MVN) install -DskipTests

## package: build, then dist/ = the Plakar package (launchers, jars, manifest, schemas, jlink runtime, CDS archive)
package: build
	scripts/package-dist.sh

## test: the whole test suite (unit tests, then integration tests through the packaged executables)
test:
	mvn -B install

## demo: backup and restore through the real plugin executables on the bundled Proxmox simulator
demo: build
	$(RUN) io.plakar.pve.plugin.demo.Demo

## benchmarks (not tests): print MB/s next to the ceilings measured in the same run
bench-stdio: build
	-@command -v go >/dev/null 2>&1 && bench/go-plugin/build.sh || true
	$(RUN) io.plakar.pve.plugin.bench.StdioBench $(GIB)

bench-startup: package
	$(RUN) io.plakar.pve.plugin.bench.StartupBench

bench-import: build
	$(RUN) io.plakar.pve.plugin.bench.ImportBench $(GIB)

bench-restore: build
	$(RUN) io.plakar.pve.plugin.bench.RestoreBench $(GIB)

bench-audit: build
	$(RUN) io.plakar.pve.plugin.audit.AuditBench

clean:
	$(MVN) clean
	rm -rf dist
