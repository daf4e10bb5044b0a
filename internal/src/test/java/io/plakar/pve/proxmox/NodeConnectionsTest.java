package io.plakar.pve.proxmox;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;
import io.plakar.pve.sdk.ConnectorException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Per-node runners: addresses, reuse, and connecting one node never holding up the others. */
class NodeConnectionsTest {

    static ConnectionConfig remote(String... kv) throws ConnectorException {
        Map<String, String> m = new java.util.HashMap<>(Map.of("location", "proxmox+backup://10.0.0.1", "mode", "remote",
                "conn_method", "password", "conn_username", "root", "conn_password", "pw",
                "ssh_insecure_ignore_host_key", "true"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        ConfigReader r = new ConfigReader("proxmox", m);
        ConnectionConfig c = ConnectionConfig.read(r);
        r.finish();
        return c;
    }

    /** A runner that only knows its host. */
    static class FakeRunner implements Runner {
        final String host;
        volatile boolean closed;

        FakeRunner(String host) {
            this.host = host;
        }

        @Override
        public String describe() {
            return "fake " + host;
        }

        @Override
        public CommandResult run(List<String> argv, Duration timeout) throws java.io.IOException {
            throw new java.io.IOException("connection lost");
        }

        @Override
        public RunningCommand start(List<String> argv, LineListener stderrLines) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Own threads: the common pool may have a single worker on a small machine. */
    static CompletableFuture<Runner> forNodeAsync(NodeConnections n, String node) {
        CompletableFuture<Runner> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(n.forNode(node));
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        }, "forNode-" + node);
        t.setDaemon(true);
        t.start();
        return f;
    }

    @Test
    void nodeHostsWinsOverDiscoveredAndTheLocationsHostReusesTheEntryConnection() throws Exception {
        List<FakeRunner> made = new CopyOnWriteArrayList<>();
        NodeConnections n = new NodeConnections(remote("node_hosts", "pve2=10.0.0.22"), null, s -> {
            FakeRunner r = new FakeRunner(s.host());
            made.add(r);
            return r;
        });
        n.addDiscovered(Map.of("pve1", "10.0.0.1", "pve2", "10.0.0.2", "pve3", "10.0.0.3"));
        Runner entry = n.entry();
        assertSame(entry, n.forNode("pve1"), "the location's host is the entry connection");
        assertEquals("10.0.0.22", ((FakeRunner) n.forNode("pve2")).host);
        assertEquals("10.0.0.3", ((FakeRunner) n.forNode("pve3")).host);
        assertSame(n.forNode("pve3"), n.forNode("pve3"), "one connection per node");
        assertEquals(3, made.size());
        assertThrows(ConnectorException.class, () -> n.forNode("pve9"));
        n.close();
        assertTrue(made.stream().allMatch(r -> r.closed));
    }

    /** A runner whose connection drops on pvesh a given number of times, then answers. */
    static final class DroppingRunner extends FakeRunner {
        final AtomicInteger drops;
        final List<String> asked = new CopyOnWriteArrayList<>();

        DroppingRunner(String host, int drops) {
            super(host);
            this.drops = new AtomicInteger(drops);
        }

        @Override
        public CommandResult run(List<String> argv, Duration timeout) throws java.io.IOException {
            asked.add(String.join(" ", argv));
            if (argv.get(0).equals("hostname")) {
                return new CommandResult(argv, 0, "pve1.example.com\n", "");
            }
            if (drops.getAndDecrement() > 0) {
                throw new java.io.IOException("Broken transport; encountered EOF");
            }
            return new CommandResult(argv, 0, "[{\"type\":\"node\",\"name\":\"pve1\",\"local\":1,\"ip\":\"10.0.0.1\","
                    + "\"online\":1},{\"type\":\"node\",\"name\":\"pve2\",\"local\":0,\"ip\":\"10.0.0.2\",\"online\":1}]", "");
        }
    }

    @Test
    void aDroppedInventoryIsAskedAgain() throws Exception {
        DroppingRunner entry = new DroppingRunner("10.0.0.1", 2);
        NodeConnections n = new NodeConnections(remote("ssh_retry_delay", "1ms"), null, s -> s.host().equals("10.0.0.1")
                ? entry : new FakeRunner(s.host()));
        assertEquals("10.0.0.2", ((FakeRunner) n.forNode("pve2")).host, "learned from /cluster/status after two drops");
        assertEquals(3, entry.asked.stream().filter(a -> a.contains("/cluster/status")).count());
        n.close();
    }

    @Test
    void theEntryNodeNeedsNoAddressEvenWhenTheInventoryFails() throws Exception {
        DroppingRunner entry = new DroppingRunner("10.0.0.1", 100);
        NodeConnections n = new NodeConnections(remote("ssh_retry_delay", "1ms"), null, s -> entry);
        assertSame(entry, n.forNode("pve1"), "pve1 is the location's own node (its host name says so)");
        ConnectorException e = assertThrows(ConnectorException.class, () -> n.forNode("pve2"));
        assertTrue(e.getMessage().contains("Broken transport"), "the real cause is named: " + e.getMessage());
        n.close();
    }

    @Test
    void anUnreachableNodeDoesNotHoldUpTheOthers() throws Exception {
        CountDownLatch pve2Connecting = new CountDownLatch(1);
        CountDownLatch releasePve2 = new CountDownLatch(1);
        AtomicInteger pve2Attempts = new AtomicInteger();
        NodeConnections n = new NodeConnections(remote(), null, s -> {
            if (s.host().equals("10.0.0.2")) {
                pve2Attempts.incrementAndGet();
                pve2Connecting.countDown();
                // an unreachable node: connect timeouts and retries can take minutes
                releasePve2.await();
                throw ConnectorException.unavailable("fake 10.0.0.2: cannot connect", null);
            }
            return new FakeRunner(s.host());
        });
        n.addDiscovered(Map.of("pve2", "10.0.0.2", "pve3", "10.0.0.3"));
        CompletableFuture<Runner> slow = forNodeAsync(n, "pve2");
        CompletableFuture<Runner> sameNode;
        try {
            assertTrue(pve2Connecting.await(5, TimeUnit.SECONDS));
            CompletableFuture<Runner> other = forNodeAsync(n, "pve3");
            assertEquals("10.0.0.3", ((FakeRunner) other.get(2, TimeUnit.SECONDS)).host,
                    "pve3 is reached while pve2 is still connecting");
            // a second caller for pve2 waits for the same attempt instead of starting another
            sameNode = forNodeAsync(n, "pve2");
            Thread.sleep(100);
            assertFalse(sameNode.isDone());
        } finally {
            releasePve2.countDown();
        }
        var e1 = assertThrows(java.util.concurrent.ExecutionException.class, () -> slow.get(5, TimeUnit.SECONDS));
        assertTrue(e1.getCause() instanceof ConnectorException, e1.toString());
        var e2 = assertThrows(java.util.concurrent.ExecutionException.class, () -> sameNode.get(5, TimeUnit.SECONDS));
        assertTrue(e2.getCause() instanceof ConnectorException && e2.getCause().getMessage().contains("10.0.0.2"),
                e2.toString());
        assertEquals(1, pve2Attempts.get());
        n.close();
    }

    @Test
    void aConnectionFinishingAfterCloseIsClosed() throws Exception {
        CountDownLatch connecting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<FakeRunner> made = new CopyOnWriteArrayList<>();
        NodeConnections n = new NodeConnections(remote(), null, s -> {
            connecting.countDown();
            release.await();
            FakeRunner r = new FakeRunner(s.host());
            made.add(r);
            return r;
        });
        n.addDiscovered(Map.of("pve2", "10.0.0.2"));
        CompletableFuture<Runner> f = forNodeAsync(n, "pve2");
        assertTrue(connecting.await(5, TimeUnit.SECONDS));
        n.close();
        release.countDown();
        assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        assertEquals(1, made.size());
        assertTrue(made.get(0).closed, "never leaked");
    }
}
