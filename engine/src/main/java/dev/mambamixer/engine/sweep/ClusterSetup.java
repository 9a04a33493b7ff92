package dev.mambamixer.engine.sweep;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Hazelcast configuration shared by the worker members and the coordinator's client: one cluster
 * name, TCP-IP join with exactly the given member list (multicast and cloud auto-detection off, so
 * a worker never joins a cluster nobody named), phone-home off, logging through JUL and quiet.
 */
public final class ClusterSetup {
    /** Member attribute: how many runs the worker takes at once. */
    public static final String ATTR_SLOTS = "mambamixer.slots";
    /** Member attribute: the backend the worker's runs use (cpu or cuda). */
    public static final String ATTR_BACKEND = "mambamixer.backend";
    /** Member attribute: the worker's name in run logs and results ({@code host:port}). */
    public static final String ATTR_NAME = "mambamixer.name";
    /** The distributed executor service a run is handed to its worker through. */
    static final String RUN_SERVICE = "mambamixer-runs";
    /** Where the worker object sits in its member's user context, for the tasks that arrive there. */
    static final String WORKER_KEY = "mambamixer.worker";
    /** JUL level of Hazelcast's own logging (default SEVERE: the sweep says itself what happened), e.g. -Dmambamixer.hazelcast.log=INFO. */
    public static final String LOG_LEVEL_PROPERTY = "mambamixer.hazelcast.log";

    // held so the level set below is not lost when JUL's weakly referenced logger is collected
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

    private ClusterSetup() {}

    /** {@code host:port,host:port,...}, each port in 1..65535; names the option on bad input. */
    public static List<String> parseMembers(String option, String csv) {
        if (csv == null || csv.isBlank())
            throw new IllegalArgumentException(option + ": expected host:port[,host:port...], found nothing");
        List<String> out = new ArrayList<>();
        for (String m : csv.split(",")) {
            String s = m.trim();
            int colon = s.lastIndexOf(':');
            int port = -1;
            if (colon > 0) {
                try {
                    port = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (port < 1 || port > 65535)
                throw new IllegalArgumentException(option + ": expected host:port[,host:port...] with ports in 1..65535, found \""
                                                   + s + "\" in \"" + csv + "\"");
            out.add(s);
        }
        return out;
    }

    /** A cluster name Hazelcast accepts and a person can type: letters, digits, '.', '_', '-'. */
    public static String checkClusterName(String option, String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+"))
            throw new IllegalArgumentException(option + ": expected a name of letters, digits, '.', '_' or '-', found \""
                                               + name + "\"");
        return name;
    }

    /** Hazelcast logs through JUL, at SEVERE unless {@value #LOG_LEVEL_PROPERTY} says otherwise. */
    static void quietLogging() {
        System.setProperty("hazelcast.logging.type", "jdk");
        String level = System.getProperty(LOG_LEVEL_PROPERTY, "SEVERE");
        try {
            HAZELCAST_LOG.setLevel(Level.parse(level));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + LOG_LEVEL_PROPERTY + ": not a java.util.logging level: \"" + level + "\"");
        }
    }

    /** A worker member: listens on {@code port} (exactly: no auto-increment, so the member list stays true). */
    static Config memberConfig(String cluster, List<String> members, int port, Map<String, String> attributes) {
        quietLogging();
        Config c = new Config();
        c.setClusterName(cluster);
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        // the worker's own shutdown hook ends its runs first, then the member
        c.setProperty("hazelcast.shutdownhook.enabled", "false");
        // a worker that dies is noticed in seconds, not the default minute: its runs are queued again sooner
        c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        c.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        c.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        JoinConfig join = c.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members);
        c.getMemberAttributeConfig().setAttributes(attributes);
        return c;
    }

    /** The coordinator's client: connects to one of {@code members}, gives up after {@code connectTimeoutMillis}. */
    static ClientConfig clientConfig(String cluster, List<String> members, long connectTimeoutMillis) {
        quietLogging();
        ClientConfig c = new ClientConfig();
        c.setClusterName(cluster);
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.shutdownhook.enabled", "false");
        c.getNetworkConfig().setAddresses(new ArrayList<>(members));
        c.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(connectTimeoutMillis);
        return c;
    }
}
