package dev.mambamixer.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster's configuration and the worker's argument rewriting, without starting a member. */
class ClusterSetupTest {
    @Test void memberListsAreParsedAndBadOnesNamed() {
        assertEquals(List.of("node1:5701", "10.0.0.2:5702", "svc.ns:5701"),
                     ClusterSetup.parseMembers("--members", "node1:5701, 10.0.0.2:5702,svc.ns:5701"));
        for (String bad : new String[] {"node1", "node1:", "node1:0", "node1:65536", "node1:x", ":5701", "a:1,,b:2"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ClusterSetup.parseMembers("--members", bad));
            assertEquals(true, e.getMessage().startsWith("--members: expected host:port"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ClusterSetup.parseMembers("--members", " "));
        assertThrows(IllegalArgumentException.class, () -> ClusterSetup.checkClusterName("--cluster", "a b"));
        assertEquals("sweep-42.x_y", ClusterSetup.checkClusterName("--cluster", "sweep-42.x_y"));
    }

    @Test void memberConfigJoinsOnlyTheListedMembersWithPhoneHomeOff() {
        var c = ClusterSetup.memberConfig("c1", List.of("h1:5701", "h2:5701"), 5799, Map.of(ClusterSetup.ATTR_SLOTS, "2"));
        assertEquals("c1", c.getClusterName());
        assertEquals("false", c.getProperty("hazelcast.phone.home.enabled"));
        assertEquals("jdk", c.getProperty("hazelcast.logging.type"));
        assertEquals(5799, c.getNetworkConfig().getPort());
        assertEquals(false, c.getNetworkConfig().isPortAutoIncrement());
        var join = c.getNetworkConfig().getJoin();
        assertEquals(false, join.getMulticastConfig().isEnabled());
        assertEquals(false, join.getAutoDetectionConfig().isEnabled());
        assertEquals(true, join.getTcpIpConfig().isEnabled());
        assertEquals(List.of("h1:5701", "h2:5701"), join.getTcpIpConfig().getMembers());
        assertEquals("2", c.getMemberAttributeConfig().getAttributes().get(ClusterSetup.ATTR_SLOTS));

        var cc = ClusterSetup.clientConfig("c1", List.of("h1:5701"), 7000);
        assertEquals("c1", cc.getClusterName());
        assertEquals(List.of("h1:5701"), cc.getNetworkConfig().getAddresses());
        assertEquals(7000, cc.getConnectionStrategyConfig().getConnectionRetryConfig().getClusterConnectTimeoutMillis());
    }

    @Test void aWorkerWithAFixedBackendReplacesTheRunsBackend() {
        assertEquals(List.of("--lr", "1e-2", "--backend", "cuda", "--seed", "1"),
                     ClusterWorker.withBackend(List.of("--lr", "1e-2", "--backend", "cpu", "--seed", "1"), "cuda"));
        assertEquals(List.of("--lr", "1e-2", "--backend", "cpu"), ClusterWorker.withBackend(List.of("--lr", "1e-2"), "cpu"));
    }
}
