package io.plakar.pve.importer.audit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a vzdump per-guest log ({@code client.log.blob}) tells the audit: the node that ran
 * the backup and the guest's name. Container logs carry the proxmox-backup-client line
 * {@code Client name: <hostname>} (there is no "starting backup on host" line); VM logs
 * carry no node, only {@code VM Name: <name>}.
 */
public record ClientLog(String node, String guestName) {
    private static final Pattern CLIENT_NAME = Pattern.compile("(?m)^.*?\\bINFO: Client name: (\\S+)\\s*$");
    private static final Pattern GUEST_NAME = Pattern.compile("(?m)^.*?\\bINFO: (?:VM|CT) Name: (\\S+)\\s*$");

    public static ClientLog parse(String log) {
        if (log == null) {
            return new ClientLog(null, null);
        }
        Matcher m = CLIENT_NAME.matcher(log);
        String node = m.find() ? m.group(1) : null;
        Matcher g = GUEST_NAME.matcher(log);
        String name = g.find() ? g.group(1) : null;
        return new ClientLog(node, name);
    }
}
