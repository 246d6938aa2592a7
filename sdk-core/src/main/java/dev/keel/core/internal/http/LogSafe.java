package dev.keel.core.internal.http;

import java.util.Locale;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/** Renders URLs for logs and messages with secret-looking query parameter values masked. Stateless. */
public final class LogSafe {
    private static final Pattern SECRET_PARAM =
            Pattern.compile(".*(key|token|secret|password|passwd|signature|sig|auth|credential).*");

    private LogSafe() {}

    /** {@code url} with the values of key-like query parameters replaced by {@code ***}. */
    public static String url(HttpUrl url) {
        if (url.querySize() == 0) {
            return url.toString();
        }
        HttpUrl.Builder b = url.newBuilder().query(null);
        for (int i = 0; i < url.querySize(); i++) {
            String name = url.queryParameterName(i);
            String value = url.queryParameterValue(i);
            boolean secret = SECRET_PARAM.matcher(name.toLowerCase(Locale.ROOT)).matches();
            b.addQueryParameter(name, secret && value != null ? "***" : value);
        }
        return b.build().toString();
    }
}
