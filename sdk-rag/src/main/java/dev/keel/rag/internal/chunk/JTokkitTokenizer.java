package dev.keel.rag.internal.chunk;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import dev.keel.rag.chunk.Tokenizer;

/** Token counts through jtokkit. Loaded only when the user asks for it, so jtokkit stays optional. */
public final class JTokkitTokenizer implements Tokenizer {
    private final Encoding encoding;

    private JTokkitTokenizer(Encoding encoding) {
        this.encoding = encoding;
    }

    /** Creates a tokenizer for the named encoding. */
    public static Tokenizer create(String name) {
        Encoding encoding = Encodings.newDefaultEncodingRegistry().getEncoding(name)
                .orElseThrow(() -> new IllegalArgumentException("unknown jtokkit encoding '" + name
                        + "'; try cl100k_base or o200k_base"));
        return new JTokkitTokenizer(encoding);
    }

    @Override
    public int count(String text, int start, int end) {
        return encoding.countTokens(text.substring(start, end));
    }

    @Override
    public String unit() {
        return encoding.getName();
    }

    @Override
    public String toString() {
        return "Tokenizer[" + encoding.getName() + "]";
    }
}
