package dev.keel.core.internal.compose;

import dev.keel.core.ChatModel;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes the models a composite resolved. Stateless. */
public final class Members {
    private static final Logger log = LoggerFactory.getLogger(Members.class);

    private Members() {}

    /** Closes each model; a failure to close one is logged and the rest are still closed. */
    public static void closeAll(List<? extends ChatModel> models) {
        for (ChatModel m : models) {
            try {
                m.close();
            } catch (RuntimeException e) {
                log.warn("closing {} failed", m.id(), e);
            }
        }
    }
}
