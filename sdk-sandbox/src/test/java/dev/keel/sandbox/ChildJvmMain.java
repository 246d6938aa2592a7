package dev.keel.sandbox;

/** Run in a child JVM by {@link SandboxLifecycleTest}: boots a sandbox, says so, then waits to be killed. */
public final class ChildJvmMain {
    private ChildJvmMain() {}

    public static void main(String[] args) throws Exception {
        SandboxProvider provider = Sandboxes.microVm();
        Sandbox box = provider.create(SandboxSpec.builder("child").build());
        System.out.println("READY " + box.info().pid() + " " + box.exec("echo", "up").stdout().trim());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
