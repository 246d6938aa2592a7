package dev.keel.rag.knowledge;

import java.time.Duration;

/**
 * What one {@link KnowledgeBase#sync()} did.
 *
 * @param generation       the live index generation afterwards
 * @param filesAdded       documents new since the previous generation
 * @param filesChanged     documents whose content hash changed
 * @param filesRemoved     documents gone from the sources (their chunks left the index)
 * @param filesUnchanged   documents reused as they were (not re-read into chunks, not re-embedded)
 * @param chunksEmbedded   chunks embedded in this run (all strategies)
 * @param embeddingCalls   calls to embedding models in this run
 * @param summariesWritten semantic summaries requested from chat models in this run
 * @param elapsed          wall time of the run
 */
public record SyncResult(long generation, int filesAdded, int filesChanged, int filesRemoved, int filesUnchanged,
                         int chunksEmbedded, int embeddingCalls, int summariesWritten, Duration elapsed) {

    /**
     * True when no document was added, changed or removed. A strategy whose settings changed since the index was
     * written is still rebuilt, as a new {@link #generation()}, even when this is true.
     *
     * @return true when no document was added, changed or removed
     */
    public boolean unchanged() {
        return filesAdded == 0 && filesChanged == 0 && filesRemoved == 0;
    }
}
