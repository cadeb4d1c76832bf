/* main.c: a program built by a Makefile that sets CC = gcc itself. */
#include <stdio.h>

int main(void) {
    puts("built with gcc");
    return 0;
}
