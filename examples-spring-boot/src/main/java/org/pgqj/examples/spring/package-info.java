/** The seed's blog as a Spring Boot app on the pgqj starter. */
package org.pgqj.examples.spring;
