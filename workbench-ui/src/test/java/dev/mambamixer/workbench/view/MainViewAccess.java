package dev.mambamixer.workbench.view;

/** Test access to MainView's package-private layout rules. */
public final class MainViewAccess {
    private MainViewAccess() {}

    public static int dialogRows(String message) { return MainView.dialogRows(message); }
}
