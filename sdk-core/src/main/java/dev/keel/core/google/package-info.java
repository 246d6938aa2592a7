/**
 * Google's Gemini API, spoken natively: {@link dev.keel.core.google.Gemini} ({@code generateContent},
 * {@code streamGenerateContent}) and {@link dev.keel.core.google.GeminiEmbeddings} ({@code batchEmbedContents}).
 */
package dev.keel.core.google;
