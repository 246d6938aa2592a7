package dev.keel.testing.eval;

/**
 * docker-agent's response size classes, by characters: {@code S} under 500, {@code M} under 1 500, {@code L}
 * under 5 000, {@code XL} from 5 000.
 */
public enum Size {
    /** Fewer than 500 characters. */
    S(0, 500),
    /** 500 to 1 499 characters. */
    M(500, 1_500),
    /** 1 500 to 4 999 characters. */
    L(1_500, 5_000),
    /** 5 000 characters or more. */
    XL(5_000, Integer.MAX_VALUE);

    private final int from;
    private final int below;

    Size(int from, int below) {
        this.from = from;
        this.below = below;
    }

    /**
     * The class of a text of {@code chars} characters.
     *
     * @param chars the length
     * @return its size class
     */
    public static Size of(int chars) {
        for (Size s : values()) {
            if (chars >= s.from && chars < s.below) {
                return s;
            }
        }
        return XL;
    }
}
