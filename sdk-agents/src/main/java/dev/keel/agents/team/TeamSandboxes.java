package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The sandboxes a team file asks for. {@code runtime.sandbox: true} (docker-agent runs the whole agent in a
 * sandbox) puts every shell, script and {@code post_edit} command of the team in one sandbox with the working
 * directory as its workspace; {@code sandbox: true} or {@code sandbox: {image, paths}} on a shell toolset puts that
 * toolset's commands in one ({@code paths}: the workspaces, relative to the working directory, {@code :ro} for
 * read-only; default {@code .}), and {@code sandbox: false} keeps a shell on the host even under
 * {@code runtime.sandbox}. {@code runtime.network_allowlist} ({@code host} or {@code host:port}) is what every
 * sandbox of the team may reach; nothing else. Toolsets asking for the same thing share one {@link TeamSandbox}.
 * Entries are checked at load with a located error. One per load; not thread-safe (the sandboxes it hands out are).
 */
final class TeamSandboxes {
    /** A host name or {@code *.}-pattern as the egress proxy reads it, when its module is absent to ask. */
    private static final Pattern HOST = Pattern.compile(
            "(\\*|(\\*\\.)?[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*|[0-9a-f:.]+(/\\d{1,3})?)");

    private final TeamFields f;
    private final boolean runtime;
    private final List<String> allowlist = new ArrayList<>();
    private final Map<SandboxFactory.Request, TeamSandbox> shared = new LinkedHashMap<>();

    TeamSandboxes(TeamFields f, Entry runtimeEntry) {
        this.f = f;
        boolean on = false;
        if (runtimeEntry != null) {
            MapNode r = f.map(runtimeEntry.value(), "runtime");
            on = f.optBool(r, "sandbox", "runtime").orElse(false);
            Entry list = r.entries().get("network_allowlist");
            if (list != null) {
                readAllowlist(list);
            }
        }
        this.runtime = on;
    }

    private void readAllowlist(Entry list) {
        String field = "runtime.network_allowlist";
        List<Entry> items = new ArrayList<>();
        if (list.value() instanceof ListNode l) {
            for (int i = 0; i < l.items().size(); i++) {
                items.add(new Entry(field + "[" + i + "]", lineOf(l.items().get(i), list.line()), l.items().get(i)));
            }
        } else {
            items.add(new Entry(field, list.line(), list.value()));
        }
        for (Entry item : items) {
            String text = f.scalarText(item.value(), item.key()).strip();
            try {
                checkEntry(text);
            } catch (IllegalArgumentException e) {
                throw f.error(item.line(), item.key(), "'" + text + "' is not a host, host:port, IP address or CIDR "
                        + "block: " + e.getMessage());
            }
            allowlist.add(text);
        }
    }

    private static int lineOf(dev.keel.agents.internal.YamlTree.Node n, int fallback) {
        return n instanceof Scalar s ? s.line() : fallback;
    }

    /** The host of {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 address, lower case. */
    private static String hostOf(String entry) {
        String e = entry.strip().toLowerCase(java.util.Locale.ROOT);
        if (e.startsWith("[")) {
            int end = e.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("'[' without ']'");
            }
            return e.substring(1, end);
        }
        int colon = e.indexOf(':');
        return colon >= 0 && colon == e.lastIndexOf(':') ? e.substring(0, colon) : e;
    }

    /** Checks a port, if the entry has one. */
    private static void checkPort(String entry) {
        String e = entry.strip();
        String port = null;
        if (e.startsWith("[")) {
            String rest = e.substring(e.indexOf(']') + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("only ':port' may follow ']'");
                }
                port = rest.substring(1);
            }
        } else if (e.indexOf(':') >= 0 && e.indexOf(':') == e.lastIndexOf(':')) {
            port = e.substring(e.indexOf(':') + 1);
        }
        if (port != null && (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
            throw new IllegalArgumentException("the port must be a number from 1 to 65535, was '" + port + "'");
        }
    }

    /**
     * Checks an entry as the microVM's egress proxy will enforce it (host and port) when its module is here; else
     * by the same shape.
     */
    private static void checkEntry(String entry) {
        String host = hostOf(entry);
        checkPort(entry);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is empty");
        }
        if (available()) {
            MicroVmSandboxFactory.checkEntry(entry);
        } else if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("invalid host pattern: " + host);
        }
    }

    /** Whether {@code dev.keel.sandbox} can be loaded next to this module; touches none of its types. */
    static boolean available() {
        try {
            Class.forName("dev.keel.sandbox.Sandboxes", false, TeamSandboxes.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Whether {@code runtime.sandbox} puts the team's commands in a sandbox. */
    boolean runtime() {
        return runtime;
    }

    /** The team-wide sandbox of {@code runtime.sandbox}, or null when the file does not ask for one. */
    TeamSandbox forRuntime() {
        if (!runtime) {
            return null;
        }
        Path wd = f.options().workingDirectory();
        return share("runtime.sandbox", new SandboxFactory.Request(List.of(wd), List.of(), allowlist, null, wd));
    }

    /** The sandbox a shell toolset asks for with its own {@code sandbox}, else the runtime's; null = the host. */
    TeamSandbox forShell(MapNode m, String path) {
        Entry e = m.entries().get("sandbox");
        if (e == null) {
            return forRuntime();
        }
        String field = path + ".sandbox";
        if (!(e.value() instanceof MapNode sm)) {
            return f.optBool(m, "sandbox", path).orElse(false) ? share(field, request(List.of("."), null)) : null;
        }
        List<String> paths = f.strings(sm, "paths", field);
        Entry image = sm.entries().get("image");
        String imageName = f.optString(sm, "image", field).orElse(null);
        if (imageName != null && f.options().services().sandboxes().isEmpty()) {
            f.warn(image.line() + ": " + field + ".image: Keel's microVM runs commands in its own minimal guest, not in "
                    + "the container image '" + imageName + "'; give the team a SandboxFactory "
                    + "(TeamServices.builder().sandboxes) to run them in that image");
        }
        return share(field, request(paths.isEmpty() ? List.of(".") : paths, imageName));
    }

    /** {@code paths} entries: relative to the working directory, {@code ~} the home folder, {@code :ro} read-only. */
    private SandboxFactory.Request request(List<String> paths, String image) {
        List<Path> rw = new ArrayList<>();
        List<Path> ro = new ArrayList<>();
        for (String p : paths) {
            boolean readOnly = p.endsWith(":ro");
            String dir = readOnly || p.endsWith(":rw") ? p.substring(0, p.length() - 3) : p;
            (readOnly ? ro : rw).add(f.resolveWorkPath(dir));
        }
        Path wd = f.options().workingDirectory();
        Path start = null;
        for (Path w : concat(rw, ro)) {
            if (wd.toAbsolutePath().normalize().startsWith(w.toAbsolutePath().normalize())) {
                start = wd;
            }
        }
        if (start == null) {
            start = concat(rw, ro).get(0);
        }
        return new SandboxFactory.Request(rw, ro, allowlist, image, start);
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private TeamSandbox share(String reference, SandboxFactory.Request request) {
        return shared.computeIfAbsent(request, r -> new TeamSandbox(reference, r, factory(reference)));
    }

    /** The host's factory, else Keel's microVM one when its module is here, else an error naming the module. */
    private Supplier<SandboxFactory> factory(String reference) {
        TeamServices services = f.options().services();
        Map<String, String> env = f.options().env();
        return () -> services.sandboxes().orElseGet(() -> {
            if (!available()) {
                throw new MissingPrerequisiteException(reference, "the module dev.keel.sandbox (Maven artifact "
                        + "dev.keel:sdk-sandbox), which is not on the class or module path", "add the dependency (on "
                        + "the module path, also 'requires dev.keel.sandbox' or --add-modules dev.keel.sandbox), or give "
                        + "the team a SandboxFactory with TeamServices.builder().sandboxes(...)");
            }
            return new MicroVmSandboxFactory(reference, env);
        });
    }
}
