package dev.mambamixer.notebooks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The notebook helpers reach the engine through its public API only, and draw with charts, not JavaFX. */
@AnalyzeClasses(packages = "dev.mambamixer.notebooks", importOptions = ImportOption.DoNotIncludeTests.class)
class NotebookArchitectureTest {
    private static final String ENGINE = "dev.mambamixer.engine.";

    @ArchTest
    static final ArchRule noEngineInternals = noClasses().that().resideInAPackage("dev.mambamixer.notebooks..")
        .should().dependOnClassesThat(resideInAnyPackage(ENGINE + "backend.cpu..", ENGINE + "backend.cuda..", ENGINE + "nn..",
                                                          ENGINE + "tensor..", ENGINE + "cli..")
                                          .and(DescribedPredicate.describe("no config enum", (JavaClass c) -> !c.isEnum())));

    @ArchTest
    static final ArchRule noJavaFx = noClasses().that().resideInAPackage("dev.mambamixer.notebooks..")
        .should().dependOnClassesThat().resideInAPackage("javafx..");
}
