package org.pgqj.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The seed's blog as a Spring Boot app. {@code ./mvnw -q -pl examples-spring-boot -am verify -DskipTests
 * -Pspring-example} runs it on an embedded PostgreSQL; with {@code DATABASE_URL} set (any form a Python
 * service uses) it runs on that database.
 */
@SpringBootApplication
public class BlogApplication {

    public static void main(String[] args) {
        SpringApplication.run(BlogApplication.class, args);
    }
}
