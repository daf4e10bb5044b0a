package io.plakar.pve.runner;

import java.util.Optional;

/**
 * What each SSH transport can do, in one place: the configuration refuses what a transport
 * cannot do before anything connects, and the runners rely on the same rules.
 * sshj has no agent support in this build; the OpenSSH client runs in batch mode (it cannot
 * be given a password or prompt for a passphrase) and only checks known_hosts files.
 */
public final class SshTransportRules {
    /** A refused combination: the config key at fault and why. */
    public record Refusal(String key, String message) {
    }

    private SshTransportRules() {
    }

    public static Optional<Refusal> check(boolean openssh, SshSettings.AuthMethod method, boolean passphrase,
                                          boolean pinnedHostKey) {
        if (openssh && method == SshSettings.AuthMethod.PASSWORD) {
            return refuse("ssh_transport", "openssh cannot do password authentication (the ssh client runs in batch "
                    + "mode, sshpass is not used); use conn_method=identity or agent, or ssh_transport=sshj");
        }
        if (openssh && method == SshSettings.AuthMethod.IDENTITY && passphrase) {
            return refuse("conn_identity_passphrase", "is not supported with ssh_transport=openssh (batch mode cannot "
                    + "prompt); load the key into ssh-agent and use conn_method=agent, or use ssh_transport=sshj");
        }
        if (!openssh && method == SshSettings.AuthMethod.AGENT) {
            return refuse("conn_method", "agent needs ssh_transport=openssh (the sshj transport has no agent support "
                    + "in this build)");
        }
        if (openssh && pinnedHostKey) {
            return refuse("ssh_host_key_fingerprint", "is not supported with ssh_transport=openssh (OpenSSH only "
                    + "checks known_hosts files); use ssh_known_hosts, or ssh_transport=sshj");
        }
        return Optional.empty();
    }

    /** The rule as a runner states it when handed settings the configuration should have refused. */
    public static Optional<String> refusal(boolean openssh, SshSettings s) {
        return check(openssh, s.authMethod(), s.identityPassphrase() != null,
                s.hostKeyPolicy().kind() == HostKeyPolicy.Kind.PINNED).map(r -> r.key() + ": " + r.message());
    }

    private static Optional<Refusal> refuse(String key, String message) {
        return Optional.of(new Refusal(key, message));
    }
}
