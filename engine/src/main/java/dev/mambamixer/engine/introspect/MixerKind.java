package dev.mambamixer.engine.introspect;

import java.util.Locale;

/**
 * What a mixer mixes (MODEL.md §4): the TSM2 time (token) and variate (channel) mixers, the
 * teaching model's token and channel mixers, and ViM2's SS2D token mixer. {@link #label()} is the word used in parameter names
 * ({@code blocks.0.time}) and in capture files.
 */
public enum MixerKind {
    /** TSM2 token mixer: mixes along time (patches). */
    TIME("time", true),
    /** TSM2 channel mixer: mixes across variates. */
    VARIATE("variate", false),
    /** Teaching model's token mixer: mixes along the sequence. */
    TOKEN("token", true),
    /** Channel mixer of the teaching model and of ViM2: mixes across model channels. */
    CHANNEL("channel", false),
    /** ViM2's SS2D token mixer: mixes the tokens of a 2-D grid along four scan orders (MODEL.md §7.2). */
    SS2D("ss2d", true);

    private final String label;
    private final boolean tokenMixer;

    MixerKind(String label, boolean tokenMixer) {
        this.label = label;
        this.tokenMixer = tokenMixer;
    }

    /** "time", "variate", "token", "channel" or "ss2d". */
    public String label() { return label; }

    /** True for the mixers along the sequence (time, token, ss2d); false for channel mixers (variate, channel). */
    public boolean tokenMixer() { return tokenMixer; }

    /** The block and kind a mixer's parameter prefix spells, {@code blocks.<block>.<kind>}. */
    public record Named(int block, MixerKind kind) {
        /** "T1" for blocks.0.time (or .token), "C1" for blocks.0.variate (or .channel). */
        public String shortLabel() { return (kind.tokenMixer() ? "T" : "C") + (block + 1); }
    }

    /**
     * Reads the block and kind from a parameter prefix such as {@code blocks.0.time}; null for any
     * other name (e.g. "head", or the averaging sources "x (y_T^(0))"). For names only, e.g. the
     * targets of an {@link AveragingMatrix} or files written before captures stored the block; a
     * {@link MixerCapture} has {@link MixerCapture#block()} and {@link MixerCapture#kind()}.
     */
    public static Named parse(String name) {
        String[] p = name.split("\\.");
        if (p.length != 3 || !p[0].equals("blocks") || p[1].isEmpty() || !p[1].chars().allMatch(Character::isDigit))
            return null;
        for (MixerKind k : values()) if (k.label.equals(p[2])) return new Named(Integer.parseInt(p[1]), k);
        return null;
    }

    /** The kind named by {@link #label()} (case-insensitive). */
    public static MixerKind of(String label) {
        for (MixerKind k : values()) if (k.label.equalsIgnoreCase(label)) return k;
        throw new IllegalArgumentException("unknown mixer kind '" + label + "' (expected time, variate, token, channel or ss2d)");
    }

    @Override public String toString() { return label.toLowerCase(Locale.ROOT); }
}
