package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.A2aToolset;
import dev.keel.agents.toolsets.ApiToolset;
import dev.keel.agents.toolsets.OpenApiToolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.tool.JsonSchema;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Readers of the HTTP toolset types of a team file: {@code api} ({@code api_config}), {@code openapi} and
 * {@code a2a} ({@code url}, {@code headers}), with {@code timeout} and {@code allow_private_ips}. Header values
 * take {@code $VAR}, {@code ${VAR}} and {@code ${env.VAR}}; a toolset whose header variable is unset is built
 * when the team starts, which fails naming the variable. docker-agent's {@code ${headers.NAME}} (forwarding a
 * header of the request that reached docker-agent's own server) has no such request in an embedded library:
 * the header is left out with a warning. One per load; not thread-safe.
 */
final class HttpToolsetSection {
    /** The fields of {@link ToolsetSection#PENDING} each type acts on. */
    static final Map<String, Set<String>> ACTS_ON = Map.of(
            "api", Set.of("allow_private_ips"),
            "openapi", Set.of("headers", "allow_private_ips"),
            "a2a", Set.of("headers", "allow_private_ips", "name"));

    private final TeamFields f;

    HttpToolsetSection(TeamFields f) {
        this.f = f;
    }

    Toolset api(MapNode m, String path) {
        Entry config = m.entries().get("api_config");
        if (config == null) {
            throw f.error(m.line(), path + ".api_config", "an api toolset needs 'api_config' with name, method and "
                    + "endpoint");
        }
        String cp = path + ".api_config";
        MapNode c = f.map(config.value(), cp);
        String name = f.requiredString(c, "name", cp);
        String method = f.requiredString(c, "method", cp);
        String endpoint = f.requiredString(c, "endpoint", cp);
        String description = f.optString(c, "instruction", cp).orElse(null);
        JsonObject.Builder schema = JsonObject.builder().put("type", "object");
        Entry args = c.entries().get("args");
        schema.put("properties", args == null ? JsonObject.of() : YamlTree.json(f.map(args.value(), cp + ".args")));
        List<String> required = f.strings(c, "required", cp);
        if (!required.isEmpty()) {
            schema.put("required", JsonArray.of(required));
        }
        TeamFields.EnvMap headers = headers(c, cp);
        Integer timeout = f.optInt(m, "timeout", path);
        boolean privateIps = f.optBool(m, "allow_private_ips", path).orElse(false);
        Supplier<Toolset> build = () -> {
            ApiToolset.Builder b = ApiToolset.builder(f.options().httpClient(), name, method, endpoint)
                    .description(description).parameters(JsonSchema.of(schema.build())).headers(headers.resolve())
                    .allowPrivateIps(privateIps);
            if (timeout != null) {
                b.timeout(Duration.ofSeconds(timeout));
            }
            return b.build();
        };
        try {
            ApiToolset.builder(f.options().httpClient(), name, method, endpoint); // fails now on a bad name, method or endpoint
        } catch (IllegalArgumentException e) {
            throw f.error(config.line(), cp, e.getMessage());
        }
        return headers.complete() ? build.get() : new StartTimeToolset("api:" + name, "", build);
    }

    Toolset openapi(MapNode m, String path) {
        String raw = url(m, path);
        URI document;
        if (raw.matches("(?i)https?://.*")) {
            document = URI.create(raw);
        } else {
            // a file: docker-agent takes URLs only; a path relative to the team file is a Keel convenience
            document = f.resolvePath(raw.regionMatches(true, 0, "file:", 0, 5) ? URI.create(raw).getPath() : raw).toUri();
        }
        TeamFields.EnvMap headers = f.envMap(m, path, "headers");
        Integer timeout = f.optInt(m, "timeout", path);
        boolean privateIps = f.optBool(m, "allow_private_ips", path).orElse(false);
        Supplier<Toolset> build = () -> {
            OpenApiToolset.Builder b = OpenApiToolset.builder(f.options().httpClient(), document)
                    .headers(withoutForwarded(headers.resolve())).allowPrivateIps(privateIps);
            if (timeout != null) {
                b.timeout(Duration.ofSeconds(timeout));
            }
            return b.build();
        };
        warnForwarded(headers, m, path);
        return headers.complete() ? build.get() : new StartTimeToolset("openapi", "", build);
    }

    Toolset a2a(MapNode m, String path) {
        String url = url(m, path);
        String name = f.optString(m, "name", path).orElse(null);
        TeamFields.EnvMap headers = f.envMap(m, path, "headers");
        Integer timeout = f.optInt(m, "timeout", path);
        boolean privateIps = f.optBool(m, "allow_private_ips", path).orElse(false);
        Supplier<Toolset> build = () -> {
            A2aToolset.Builder b = A2aToolset.builder(f.options().httpClient(), url).name(name)
                    .headers(withoutForwarded(headers.resolve())).allowPrivateIps(privateIps);
            if (timeout != null) {
                b.timeout(Duration.ofSeconds(timeout));
            }
            return b.build();
        };
        try {
            A2aToolset.builder(f.options().httpClient(), url);
        } catch (IllegalArgumentException e) {
            throw f.error(m.entries().get("url").line(), path + ".url", e.getMessage());
        }
        warnForwarded(headers, m, path);
        return headers.complete() ? build.get() : new StartTimeToolset("a2a:" + (name != null ? name : url), "", build);
    }

    private String url(MapNode m, String path) {
        Entry u = m.entries().get("url");
        if (u == null) {
            throw f.error(m.line(), path + ".url", "missing required field 'url'");
        }
        return f.expandVars(f.rawText(u.value(), path + ".url"), u.line(), path + ".url");
    }

    /** api_config headers, with forwarded ones left out (a warning each). */
    private TeamFields.EnvMap headers(MapNode c, String cp) {
        TeamFields.EnvMap headers = f.envMap(c, cp, "headers");
        warnForwarded(headers, c, cp);
        Map<String, String> kept = withoutForwarded(headers.values());
        return new TeamFields.EnvMap(kept, headers.missing());
    }

    private void warnForwarded(TeamFields.EnvMap headers, MapNode m, String path) {
        headers.values().forEach((name, value) -> {
            if (value.contains("${headers.")) {
                f.warn(m.entries().get("headers").line() + ": " + path + ".headers." + name + ": forwards a header of "
                        + "the request that reached docker-agent's server, which an embedded library does not have; "
                        + "the header is left out");
            }
        });
    }

    private static Map<String, String> withoutForwarded(Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>(headers);
        out.values().removeIf(v -> v.contains("${headers."));
        return out;
    }
}
