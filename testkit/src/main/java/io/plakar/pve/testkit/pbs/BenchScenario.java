package io.plakar.pve.testkit.pbs;

import java.util.function.Consumer;

/**
 * The benchmark PBS: {@code total} snapshots over {@code namespaces} namespaces spread over
 * {@code stores} datastores, generated on the fly for every listing (nothing is held: each
 * snapshot is built, written to the response and dropped). Per namespace: guests with 20
 * snapshots each, one VM in three is a container, one snapshot in 1000 still in progress.
 */
public final class BenchScenario {
    public static final long BASE = 1700000000L;
    public static final int PER_GUEST = 20;

    private BenchScenario() {
    }

    public static String storeName(int s) {
        return "bench" + s;
    }

    public static String nsName(int n) {
        return "site" + (n / 10) + "/rack" + n;
    }

    public static void install(FakePbs pbs, int stores, int namespaces, int total) {
        int nsPerStore = namespaces / stores;
        int perNs = total / namespaces;
        int guests = Math.max(1, perNs / PER_GUEST);
        for (int s = 0; s < stores; s++) {
            FakePbs.Store st = pbs.store(storeName(s));
            int storeIndex = s;
            for (int n = 0; n < nsPerStore; n++) {
                st.ns(nsName(storeIndex * nsPerStore + n));
            }
            st.generator((ns, sink) -> {
                if (!ns.contains("/rack")) {
                    return; // root and the site/ parents hold no snapshots
                }
                int nsIndex = Integer.parseInt(ns.substring(ns.lastIndexOf("rack") + 4));
                generate(nsIndex, perNs, guests, sink);
            });
        }
    }

    /** Deterministic snapshots of one namespace. */
    public static void generate(int nsIndex, int perNs, int guests, Consumer<Snap> sink) {
        String upid = "UPID:pbs1:00000A4C:0001F2B3:00000012:663301B0:verificationjob:bench\\x3av-" + nsIndex + ":root@pam:";
        for (int i = 0; i < perNs; i++) {
            int g = i % guests;
            int k = i / guests;
            String id = Integer.toString(100000 + nsIndex * 1000 + g);
            long time = BASE + k * 86400L + g * 7L;
            Snap sn = (g % 3 == 2 ? Snap.ct(id, time, 1_000_000L + i) : Snap.vm(id, time, 34_359_738_368L + i))
                    .owner("pve@pbs!bench" + (nsIndex % 5));
            if (k % 4 == 0) {
                sn.verified("ok", upid);
            }
            if (i % 1000 == 999) {
                sn.inProgress();
            }
            sink.accept(sn);
        }
    }
}
