# The human front door. Two commands matter: `make demo` and `make test`.
MVN ?= mvn -B -q
RUN  = scripts/run-test-main.sh
GIB ?= 4
RUNS ?= 3

.PHONY: all build package test demo bench-stdio bench-startup bench-import bench-restore bench-audit bench-e2e bench-cluster clean

all: package

## build: compile every module and assemble plugin/target/dist (no tests)
build:
	$(MVN) install -DskipTests

## package: build, then dist/ = the Plakar package (launchers, jars, manifest, schemas, README, jlink runtime)
package: build
	scripts/package-dist.sh dist

## test: the whole test suite (unit tests, then integration tests through the packaged executables)
test:
	mvn -B install

## demo: backup and restore through the real plugin executables on the bundled Proxmox simulator
demo: build
	$(RUN) io.plakar.pve.tools.demo.Demo

## benchmarks (not tests): print MB/s next to the ceilings measured in the same run
bench-stdio: build
	-@command -v go >/dev/null 2>&1 && bench/go-plugin/build.sh || true
	$(RUN) io.plakar.pve.tools.bench.StdioBench $(GIB)

bench-startup: package
	$(RUN) io.plakar.pve.tools.bench.StartupBench

bench-import: build
	$(RUN) io.plakar.pve.tools.bench.ImportBench $(GIB)

bench-restore: build
	$(RUN) io.plakar.pve.tools.bench.RestoreBench $(GIB)

## bench-e2e: the real plakar client: backup/restore through our package vs plakar's own fs importer/restore (RUNS=3)
bench-e2e: build
	$(RUN) io.plakar.pve.tools.bench.E2EBench $(GIB) $(RUNS)

## bench-cluster: two nodes dumping at once (max_nodes_parallel=2) over the loopback sshd vs one node (GIB per VM, default 2 here)
bench-cluster: build
	$(RUN) io.plakar.pve.tools.bench.ClusterBench $(or $(CLUSTER_GIB),2) $(or $(RUNS),2)

bench-audit: build
	$(RUN) io.plakar.pve.tools.bench.AuditBench

clean:
	$(MVN) clean
	rm -rf dist
