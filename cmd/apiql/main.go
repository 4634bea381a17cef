// Command apiql answers SQL over cloud APIs. See Run for the command line.
package main

import "os"

func main() { os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
