package io.plakar.pve.exporter;

import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The VMIDs a restore drill may use ({@code drill_vmid_range=9900-9999}). Drill guests are
 * created only inside it, and the sweep of leftovers never looks outside it: a range keeps a
 * drill away from every production guest even when someone tags one {@code plakar-drill}.
 */
record VmidRange(int first, int last) {
    private static final Pattern FORM = Pattern.compile("^([1-9][0-9]{2,8})-([1-9][0-9]{2,8})$");

    /** Parses {@code <first>-<last>}; null when malformed or out of order (the caller names the problem). */
    static VmidRange parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return null;
        }
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        return a <= b ? new VmidRange(a, b) : null;
    }

    boolean contains(int vmid) {
        return vmid >= first && vmid <= last;
    }

    int size() {
        return last - first + 1;
    }

    /** The lowest VMID of the range, at or above {@code from}, not in {@code taken}; empty when there is none. */
    OptionalInt firstFree(Set<Integer> taken, int from) {
        for (int v = Math.max(first, from); v <= last; v++) {
            if (!taken.contains(v)) {
                return OptionalInt.of(v);
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
