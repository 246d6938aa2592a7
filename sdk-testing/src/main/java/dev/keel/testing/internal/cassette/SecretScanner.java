package dev.keel.testing.internal.cassette;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Looks for secrets left in interactions after redaction, location by location, with the rules of Keel's
 * {@link dev.keel.core.secrets.SecretScanner}. Thread-safe.
 */
public final class SecretScanner {
    /** Env var values shorter than this are not scanned for: they would match by accident. */
    public static final int MIN_SECRET_LENGTH = dev.keel.core.secrets.SecretScanner.MIN_SECRET_LENGTH;

    /** The built-in key shapes, most specific first. */
    public static Map<String, Pattern> defaultShapes() {
        return dev.keel.core.secrets.SecretScanner.defaultShapes();
    }

    /** Where a secret was found. */
    public record Finding(int interactionIndex, String location, String rule) {}

    private final dev.keel.core.secrets.SecretScanner scanner;

    public SecretScanner(Rules rules) {
        this.scanner = dev.keel.core.secrets.SecretScanner.builder().keyEnvVars(rules.keyEnvVars())
                .environment(rules.environment()).shapes(rules.secretShapes()).build();
    }

    /** {@code text} with every key shape and key env var value replaced by {@code <SECRET>}, for messages. */
    public String mask(String text) {
        return scanner.mask(text);
    }

    /** The first secret in {@code interactions}, if any. */
    public Optional<Finding> scan(List<Interaction> interactions) {
        for (int i = 0; i < interactions.size(); i++) {
            Interaction in = interactions.get(i);
            Optional<String> rule;
            if ((rule = check(in.request().url())).isPresent()
                    || (rule = check(decoded(in.request().url()))).isPresent()) {
                return Optional.of(new Finding(i, "request url", rule.get()));
            }
            for (Header h : in.request().headers()) {
                if ((rule = check(h.name() + ": " + h.value())).isPresent()) {
                    return Optional.of(new Finding(i, "request header '" + h.name() + "'", rule.get()));
                }
            }
            if ((rule = check(in.request().body().text())).isPresent()) {
                return Optional.of(new Finding(i, "request body", rule.get()));
            }
            if ((rule = check(in.response().message())).isPresent()) {
                return Optional.of(new Finding(i, "response status message", rule.get()));
            }
            for (Header h : in.response().headers()) {
                if ((rule = check(h.name() + ": " + h.value())).isPresent()) {
                    return Optional.of(new Finding(i, "response header '" + h.name() + "'", rule.get()));
                }
            }
            if (in.response().body() instanceof StoredBody.Events ev) {
                for (int e = 0; e < ev.events().size(); e++) {
                    if ((rule = check(ev.events().get(e).wireText())).isPresent()) {
                        return Optional.of(new Finding(i, "response body (event #" + e + ")", rule.get()));
                    }
                }
            } else if ((rule = check(in.response().body().text())).isPresent()) {
                return Optional.of(new Finding(i, "response body", rule.get()));
            }
        }
        return Optional.empty();
    }

    /** The URL with percent-escapes decoded, so an encoded secret is seen too. */
    private static String decoded(String url) {
        try {
            return URLDecoder.decode(url, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private Optional<String> check(String text) {
        return scanner.find(text).map(dev.keel.core.secrets.SecretScanner.Finding::rule);
    }
}
