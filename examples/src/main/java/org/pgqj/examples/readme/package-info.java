/**
 * The code of every Java snippet in README.md, compiled with the project. {@code ReadmeSnippetsTest}
 * checks that each README snippet is, character for character, a tagged region of these files.
 */
package org.pgqj.examples.readme;
