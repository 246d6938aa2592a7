package dev.keel.rag.internal.knowledge;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches source directories (recursively, new sub-directories included) and runs {@code onChange} once
 * the changes have been quiet for the debounce time. {@code onChange} runs on one background thread, never
 * twice at once; a change during a run schedules one more run. Changes under {@code ignored} (the index
 * directories, when they live inside a source) are not changes. Close to stop; closing twice is harmless.
 */
public final class SourceWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceWatcher.class);

    /** A directory to watch; {@code recursive} for directory sources, not for the parent of a single file. */
    public record Root(Path directory, boolean recursive) {
    }

    private final WatchService service;
    private final Map<WatchKey, Root> keys = new HashMap<>();
    private final java.util.Collection<Path> ignored;
    private final Duration debounce;
    private final Runnable onChange;
    private final ScheduledExecutorService runner;
    private final Thread poller;
    private ScheduledFuture<?> pending;
    private volatile boolean closed;

    public SourceWatcher(List<Root> roots, java.util.Collection<Path> ignored, Duration debounce, Runnable onChange) throws IOException {
        this.service = FileSystems.getDefault().newWatchService();
        this.ignored = List.copyOf(ignored);
        this.debounce = debounce;
        this.onChange = onChange;
        for (Root root : roots) {
            if (Files.isDirectory(root.directory())) {
                register(root);
            }
        }
        this.runner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keel-kb-sync");
            t.setDaemon(true);
            return t;
        });
        this.poller = new Thread(this::poll, "keel-kb-watch");
        this.poller.setDaemon(true);
    }

    /** Starts watching and runs {@code onChange} once now. */
    public void start() {
        poller.start();
        runner.execute(this::runSafely);
    }

    private void register(Root root) throws IOException {
        if (!root.recursive()) {
            keys.put(root.directory().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY), root);
            return;
        }
        Files.walkFileTree(root.directory(), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (ignored.stream().anyMatch(dir::startsWith)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                keys.put(dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY),
                        new Root(dir, true));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void poll() {
        while (!closed) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Root root;
            synchronized (keys) {
                root = keys.get(key);
            }
            boolean relevant = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW || root == null) {
                    relevant = true;
                    continue;
                }
                Path path = root.directory().resolve((Path) event.context());
                if (ignored.stream().anyMatch(path::startsWith)) {
                    continue;
                }
                relevant = true;
                if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && root.recursive() && Files.isDirectory(path)) {
                    try {
                        synchronized (keys) {
                            register(new Root(path, true));
                        }
                    } catch (IOException e) {
                        LOG.warn("cannot watch new directory {}: {}", path, e.toString());
                    }
                }
            }
            if (!key.reset()) {
                synchronized (keys) {
                    keys.remove(key);
                }
            }
            if (relevant) {
                schedule();
            }
        }
    }

    private synchronized void schedule() {
        if (closed) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        pending = runner.schedule(this::runSafely, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runSafely() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            LOG.warn("background re-indexing failed (the previous index stays live): {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("closing the watch service: {}", e.toString());
        }
        runner.shutdownNow();
        poller.interrupt();
        try {
            poller.join(5_000);
            runner.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
