package dev.keel.core.models;

import dev.keel.core.anthropic.IdentityTokenSource;
import dev.keel.core.anthropic.WorkloadIdentity;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Reads the provider option {@code workload_identity_federation} (docker-agent's model field {@code auth}) into a
 * {@link WorkloadIdentity}: the rule, the organization, and where identity tokens come from — a file, a variable,
 * a command's standard output or an HTTP(S) endpoint, each asked again at every exchange. Stateless.
 */
final class IdentityTokens {
    private static final List<String> SOURCES = List.of("file", "env", "command", "url");
    private static final int MAX_TOKEN_BYTES = 64 * 1024;
    private static final int TIMEOUT_SECONDS = 30;

    private IdentityTokens() {}

    /** What is wrong with the option's value, or null when it can be used. */
    static String problem(JsonValue value) {
        try {
            identity(value, name -> null);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The configuration the option describes; variables are read at each exchange through {@code variables}. */
    static WorkloadIdentity identity(JsonValue value, Function<String, String> variables) {
        JsonObject o = value.asObject().orElseThrow(() -> new IllegalArgumentException("must be a mapping"));
        JsonObject source = o.get("identity_token").flatMap(JsonValue::asObject)
                .orElseThrow(() -> new IllegalArgumentException("needs identity_token (file, env, command or url)"));
        List<String> given = SOURCES.stream().filter(k -> source.get(k).isPresent()).toList();
        if (given.size() != 1) {
            throw new IllegalArgumentException("identity_token needs exactly one of " + SOURCES + ", has " + given);
        }
        if (!given.get(0).equals("url") && (source.get("headers").isPresent()
                || source.get("response_field").isPresent())) {
            throw new IllegalArgumentException("identity_token: headers and response_field go with url only");
        }
        try {
            return WorkloadIdentity.builder()
                    .federationRuleId(text(o, "federation_rule_id"))
                    .organizationId(text(o, "organization_id"))
                    .serviceAccountId(o.get("service_account_id").flatMap(JsonValue::asString).orElse(null))
                    .workspaceId(o.get("workspace_id").flatMap(JsonValue::asString).orElse(null))
                    .identityToken(source(given.get(0), source, variables))
                    .build();
        } catch (NullPointerException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static String text(JsonObject o, String name) {
        return o.get(name).flatMap(JsonValue::asString)
                .orElseThrow(() -> new IllegalArgumentException("needs " + name));
    }

    private static IdentityTokenSource source(String kind, JsonObject source, Function<String, String> variables) {
        return switch (kind) {
            case "file" -> IdentityTokenSource.file(Path.of(text(source, "file")));
            case "env" -> variable(text(source, "env"), variables);
            case "command" -> command(source.get("command").flatMap(JsonValue::asArray)
                    .map(a -> a.items().stream().map(i -> i.asString().orElseThrow(
                            () -> new IllegalArgumentException("identity_token.command must be a list of strings")))
                            .toList())
                    .filter(l -> !l.isEmpty())
                    .orElseThrow(() -> new IllegalArgumentException("identity_token.command must be a non-empty list")));
            default -> url(text(source, "url"), headers(source), source.get("response_field")
                    .flatMap(JsonValue::asString).orElse(null), variables);
        };
    }

    private static Map<String, String> headers(JsonObject source) {
        Map<String, String> out = new LinkedHashMap<>();
        source.get("headers").flatMap(JsonValue::asObject).ifPresent(h -> h.members().forEach((k, v) ->
                out.put(k, v.asString().orElseThrow(() -> new IllegalArgumentException(
                        "identity_token.headers." + k + " must be a string")))));
        return out;
    }

    private static IdentityTokenSource variable(String name, Function<String, String> variables) {
        return new IdentityTokenSource() {
            @Override
            public String identityToken() {
                String v = variables.apply(name);
                if (v == null) {
                    throw new IllegalStateException("the identity token variable " + name + " is not set");
                }
                return IdentityTokenSource.nonBlank(v, "variable " + name);
            }

            @Override
            public String toString() {
                return "IdentityTokenSource[variable " + name + "]";
            }
        };
    }

    private static IdentityTokenSource command(List<String> command) {
        return new IdentityTokenSource() {
            @Override
            public String identityToken() {
                Process p;
                try {
                    p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot start the identity token command " + command.get(0)
                            + " (" + e.getClass().getSimpleName() + ")");
                }
                try (InputStream out = p.getInputStream()) {
                    byte[] bytes = out.readNBytes(MAX_TOKEN_BYTES);
                    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the identity token command " + command.get(0)
                                + " did not finish within " + TIMEOUT_SECONDS + " s");
                    }
                    if (p.exitValue() != 0) {
                        throw new IllegalStateException("the identity token command " + command.get(0)
                                + " exited with " + p.exitValue());
                    }
                    return IdentityTokenSource.nonBlank(new String(bytes, StandardCharsets.UTF_8),
                            "command " + command.get(0));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the identity token command's output ("
                            + e.getClass().getSimpleName() + ")");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the identity token command ran");
                } finally {
                    p.destroyForcibly();
                }
            }

            @Override
            public String toString() {
                return "IdentityTokenSource[command " + command.get(0) + "]";
            }
        };
    }

    private static IdentityTokenSource url(String url, Map<String, String> headers, String field,
                                           Function<String, String> variables) {
        return new IdentityTokenSource() {
            @Override
            public String identityToken() {
                URI uri = URI.create(expand(url, variables));
                String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
                boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
                if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
                    throw new IllegalStateException("the identity token URL must be https (plain http to a loopback "
                            + "address only)");
                }
                try {
                    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
                    c.setConnectTimeout(TIMEOUT_SECONDS * 1000);
                    c.setReadTimeout(TIMEOUT_SECONDS * 1000);
                    c.setInstanceFollowRedirects(false);
                    for (Map.Entry<String, String> h : headers.entrySet()) {
                        c.setRequestProperty(h.getKey(), expand(h.getValue(), variables));
                    }
                    try {
                        int status = c.getResponseCode();
                        if (status / 100 != 2) {
                            throw new IllegalStateException("the identity token URL " + uri.getHost()
                                    + " answered " + status);
                        }
                        String body;
                        try (InputStream in = c.getInputStream()) {
                            body = new String(in.readNBytes(MAX_TOKEN_BYTES), StandardCharsets.UTF_8);
                        }
                        if (field == null || field.isEmpty()) {
                            return IdentityTokenSource.nonBlank(body, "URL " + uri.getHost());
                        }
                        String token = JsonValue.parse(body).asObject().flatMap(o -> o.get(field))
                                .flatMap(JsonValue::asString).orElseThrow(() -> new IllegalStateException(
                                        "the identity token URL's answer has no string field '" + field + "'"));
                        return IdentityTokenSource.nonBlank(token, "URL " + uri.getHost());
                    } finally {
                        c.disconnect();
                    }
                } catch (IOException | RuntimeException e) {
                    if (e instanceof IllegalStateException ise) {
                        throw ise;
                    }
                    throw new IllegalStateException("cannot fetch the identity token from " + uri.getHost() + " ("
                            + e.getClass().getSimpleName() + ")");
                }
            }

            @Override
            public String toString() {
                return "IdentityTokenSource[url]";
            }
        };
    }

    /** {@code ${VAR}}, {@code ${env.VAR}} and {@code ${VAR:-default}} replaced; an unset variable fails naming it. */
    private static String expand(String text, Function<String, String> variables) {
        return Variables.expand(text, variables, name -> new IllegalStateException(
                "the identity token request needs the variable " + name + ", which is not set"));
    }
}
