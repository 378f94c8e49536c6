package main

const count = `SELECT COUNT(*) FROM initiatives`
