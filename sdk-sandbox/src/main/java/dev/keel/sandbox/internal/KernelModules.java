package dev.keel.sandbox.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds kernel modules in an unpacked kernel package and orders them so that every module comes
 * after the modules it depends on. Dependencies are read from each module's own {@code depends=}
 * modinfo string (the data {@code depmod} turns into {@code modules.dep}), so no depmod run is needed.
 */
public final class KernelModules {
    private final Map<String, Path> byName = new HashMap<>();

    private KernelModules(Path modulesDir) {
        try (Stream<Path> files = Files.walk(modulesDir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".ko"))
                    .forEach(p -> byName.put(canonical(p.getFileName().toString().replace(".ko", "")), p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list kernel modules in " + modulesDir, e);
        }
    }

    /** Indexes the {@code .ko} files under {@code modulesDir} (e.g. {@code /lib/modules/<release>}). */
    public static KernelModules in(Path modulesDir) {
        return new KernelModules(modulesDir);
    }

    /** The module files for {@code wanted} plus all their dependencies, dependencies first. */
    public List<Path> resolve(List<String> wanted) {
        Set<String> ordered = new LinkedHashSet<>();
        for (String name : wanted) {
            visit(canonical(name), ordered, new LinkedHashSet<>());
        }
        List<Path> result = new ArrayList<>();
        for (String name : ordered) {
            result.add(byName.get(name));
        }
        return result;
    }

    private void visit(String name, Set<String> ordered, Set<String> path) {
        if (ordered.contains(name)) {
            return;
        }
        if (!path.add(name)) {
            throw new IllegalStateException("module dependency cycle: " + path);
        }
        Path file = byName.get(name);
        if (file == null) {
            throw new IllegalStateException("kernel module not found: " + name);
        }
        for (String dep : dependsOf(file)) {
            visit(canonical(dep), ordered, path);
        }
        path.remove(name);
        ordered.add(name);
    }

    /** The comma-separated {@code depends=} value in the module's .modinfo strings. */
    static List<String> dependsOf(Path module) {
        byte[] data;
        try {
            data = Files.readAllBytes(module);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel module " + module, e);
        }
        byte[] key = "\0depends=".getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + key.length <= data.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (data[i + j] != key[j]) {
                    continue outer;
                }
            }
            int start = i + key.length;
            int end = start;
            while (end < data.length && data[end] != 0) {
                end++;
            }
            String value = new String(data, start, end - start, StandardCharsets.US_ASCII);
            List<String> deps = new ArrayList<>();
            for (String d : value.split(",")) {
                if (!d.isBlank()) {
                    deps.add(d.trim());
                }
            }
            return deps;
        }
        return List.of();
    }

    private static String canonical(String name) {
        return name.replace('-', '_');
    }
}
